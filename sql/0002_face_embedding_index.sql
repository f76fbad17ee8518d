-- Vector storage and index for face_embedding (applied by api/migrations/0002).
--
-- A 512-d vector is 2 KiB + 8 bytes, just over the TOAST threshold: with pgvector's default
-- EXTERNAL storage every row is moved out of line, and an exact scan pays a TOAST fetch per
-- row (measured 4-9x slower). PLAIN keeps vectors in the heap page.
ALTER TABLE face_embedding ALTER COLUMN embedding SET STORAGE PLAIN;

-- Cosine distance (<=>) matches ArcFace: embeddings are L2-normalised and compared by angle.
-- m / ef_construction: see sql/README.md for the measured trade-off; ef_search is set per
-- connection by the application (HNSW_EF_SEARCH) together with iterative scans, so the
-- filtered query (current model, active persons) still returns enough candidates.
CREATE INDEX IF NOT EXISTS face_embedding_hnsw
    ON face_embedding USING hnsw (embedding vector_cosine_ops)
    WITH (m = 16, ef_construction = 128);
