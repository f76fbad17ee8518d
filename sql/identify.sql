-- The face login: ONE statement that returns the nearest active person under the current
-- model and the best different runner-up (for the margin check). Parameters:
--   %(query)s  the probe embedding as vector text '[x1,...,x512]', L2-normalised
--   %(model)s  the current model name
--   %(k)s      how many nearest embeddings to consider (several per person)
-- The inner ORDER BY ... LIMIT is what the HNSW index (or an exact scan) answers.
WITH nearest AS (
    SELECT e.person_id, e.embedding <=> %(query)s::vector AS distance
    FROM face_embedding AS e
    JOIN person AS p ON p.id = e.person_id
    WHERE e.model_name = %(model)s AND p.is_active
    ORDER BY e.embedding <=> %(query)s::vector
    LIMIT %(k)s
)
SELECT person_id, 1 - min(distance) AS similarity
FROM nearest
GROUP BY person_id
ORDER BY similarity DESC
LIMIT 2
