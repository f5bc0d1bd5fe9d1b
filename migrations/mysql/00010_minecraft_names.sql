-- Minecraft player names bound to users, for the front door's wake on
-- join. A user has at most one (the primary key); a name belongs to at most
-- one user, ignoring case through the column collation (as Mojang's names
-- are unique ignoring case). Deleting the user deletes the binding.

-- +goose Up
CREATE TABLE minecraft_names (
    user_id  BIGINT      NOT NULL,
    name     VARCHAR(16) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NOT NULL,
    bound_at DATETIME(6) NOT NULL,
    PRIMARY KEY (user_id),
    UNIQUE KEY minecraft_names_name_key (name),
    CONSTRAINT minecraft_names_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT minecraft_names_name_len CHECK (char_length(name) BETWEEN 3 AND 16)
) ENGINE = InnoDB DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE minecraft_names;
