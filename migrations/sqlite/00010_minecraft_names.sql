-- Minecraft player names bound to users, for the front door's wake on
-- join. A user has at most one (the primary key); a name belongs to at most
-- one user, ignoring ASCII case (COLLATE NOCASE, as Mojang's names are
-- unique ignoring case). Deleting the user deletes the binding (the store
-- connects with foreign_keys on).

-- +goose Up
CREATE TABLE minecraft_names (
    user_id  INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    name     VARCHAR(16) NOT NULL COLLATE NOCASE
             CONSTRAINT minecraft_names_name_len CHECK (length(name) BETWEEN 3 AND 16),
    bound_at TEXT NOT NULL
);
CREATE UNIQUE INDEX minecraft_names_name_key ON minecraft_names (name);

-- +goose Down
DROP TABLE minecraft_names;
