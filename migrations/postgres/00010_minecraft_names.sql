-- Minecraft player names bound to users, for the front door's wake on
-- join. A user has at most one (the primary key); a name belongs to at most
-- one user, ignoring case through a unique index on lower(name) (as
-- Mojang's names are unique ignoring case). Deleting the user deletes the
-- binding.

-- +goose Up
CREATE TABLE minecraft_names (
    user_id  BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    name     VARCHAR(16) NOT NULL CONSTRAINT minecraft_names_name_len CHECK (length(name) BETWEEN 3 AND 16),
    bound_at TIMESTAMPTZ(6) NOT NULL
);
CREATE UNIQUE INDEX minecraft_names_name_key ON minecraft_names (lower(name));

-- +goose Down
DROP TABLE minecraft_names;
