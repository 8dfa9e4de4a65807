// @rempart/ingest — readers and mapping files shared by the engines (forensics, scoping).
export { IngestError, formatIssue, type IngestCode, type IngestIssue } from './errors.ts';
export { MappingSchema, FieldSpecSchema, DateSpecSchema, loadMapping, loadMappingOrThrow, type Mapping, type FieldSpec, type DateSpec, type LoadResult } from './mapping.ts';
export { readBatches, readRows, detectFormat, detectDelimiter, flatten, type ReadOptions, type ReadBatch, type RawRow, type Encoding } from './read.ts';
export { createDateParser, type DateKind, type DateParse, type DateParserOptions } from './dates.ts';
export { spreadsheetCell } from './spreadsheet.ts';
export { createMapper, type Mapper, type MapperOptions, type MappedRow, type CanonicalRecord, type CanonicalValue } from './apply.ts';
// For readers that hand the text to another engine (the forensics DuckDB CSV reader) and must read it alike.
export { BATCH_ROWS, byteChunks, columnCountIssue, headerDelimiter, uniqueHeader } from './read.ts';
export { formatTokens, zoneClock, type DateSlot } from './dates.ts';
export { CsvSplitter, type CsvRecord, type CsvProblem } from './csv.ts';
