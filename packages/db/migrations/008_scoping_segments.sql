-- Scoping results stored as sealed segments (persons by pages, review pairs, indexes), each file
-- sealed with the dataset's key. The layout says which segment files exist, so that a page reads one
-- and a purge removes them all; it holds counts only. NULL for runs stored as one document.
ALTER TABLE scoping_runs ADD COLUMN results_layout jsonb;
