DROP INDEX IF EXISTS face_embedding_hnsw;
ALTER TABLE face_embedding ALTER COLUMN embedding SET STORAGE EXTERNAL;  -- pgvector's default
