-- Files kept by the media store (docs/plugins.md, "Media"): the bytes live under
-- <data.dir>/media/<project>/<id>, named by the random id, never by what the uploader called them.
CREATE TABLE kernel_media (
    id TEXT PRIMARY KEY,          -- 32 random hex digits: unguessable, and safe as a file name
    project_id BIGINT NOT NULL,
    plugin TEXT NOT NULL,         -- the owner: its manifest's media kind says who may see it
    kind TEXT NOT NULL,
    content_type TEXT NOT NULL,   -- from the bytes
    bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    name TEXT NOT NULL,           -- the uploader's file name, cleaned, for downloads only
    width INTEGER,
    height INTEGER,
    created_by BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT             -- purged by the kernel's media_purge job; NULL: kept
);
CREATE INDEX kernel_media_project ON kernel_media (project_id, plugin, kind, created_at);
CREATE INDEX kernel_media_expiry ON kernel_media (project_id, expires_at);
