-- Which model made each embedding: dlib's ResNet and OpenCV's SFace place faces in different
-- spaces, so a gallery holds one model's embeddings only (config recognizer). Rows of another
-- model stay until their retention ends, unsearched.
ALTER TABLE face_embeddings ADD COLUMN model TEXT NOT NULL DEFAULT 'dlib';
