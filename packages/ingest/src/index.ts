// @rempart/ingest — readers and mapping files shared by the engines (forensics, scoping).
export { IngestError, formatIssue, type IngestCode, type IngestIssue } from './errors.ts';
export { MappingSchema, FieldSpecSchema, DateSpecSchema, loadMapping, loadMappingOrThrow, type Mapping, type FieldSpec, type DateSpec, type LoadResult } from './mapping.ts';
export { BATCH_ROWS, readBatches, readRows, detectFormat, detectDelimiter, headerDelimiter, columnCountIssue, byteChunks, uniqueHeader, flatten, type ReadOptions, type ReadBatch, type RawRow, type Encoding } from './read.ts';
export { createDateParser, formatTokens, zoneClock, type DateSlot, type DateKind, type DateParse, type DateParserOptions } from './dates.ts';
export { createMapper, type Mapper, type MapperOptions, type MappedRow, type CanonicalRecord, type CanonicalValue } from './apply.ts';
export { CsvSplitter, type CsvRecord, type CsvProblem } from './csv.ts';
