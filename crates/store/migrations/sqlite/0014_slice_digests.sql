-- SM3 digests of each slice's Parquet file and ID index as written, so that `mingjing check`
-- finds a file changed on disk (integrity at rest). Slices from before stay NULL.
ALTER TABLE upload_slices ADD COLUMN sm3 TEXT;
ALTER TABLE upload_slices ADD COLUMN ids_sm3 TEXT;
