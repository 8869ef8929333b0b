-- One row per connected org. Secrets are sealed (XChaCha20-Poly1305): *_key_id names the key,
-- the blob is nonce || ciphertext. Times are Unix milliseconds (UTC).
CREATE TABLE IF NOT EXISTS fyle_org_tokens (
    org_key            TEXT PRIMARY KEY NOT NULL,
    cluster            TEXT,
    user_id            TEXT,
    user_email         TEXT,
    connected_at       BIGINT NOT NULL,
    last_refresh_at    BIGINT,
    refresh_key_id     TEXT NOT NULL,
    refresh_token      BYTEA NOT NULL,
    access_key_id      TEXT,
    access_token       BYTEA,
    access_expires_at  BIGINT,
    revoked            BOOLEAN NOT NULL DEFAULT FALSE,
    revoked_reason     TEXT,
    revoked_at         BIGINT
);
