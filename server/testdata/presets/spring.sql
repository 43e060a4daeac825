-- Spring Security's JdbcUserDetailsManager schema
-- (org/springframework/security/core/userdetails/jdbc/users.ddl).
CREATE TABLE users (
  username VARCHAR(50) NOT NULL PRIMARY KEY,
  password VARCHAR(500) NOT NULL,
  enabled BOOLEAN NOT NULL
);
CREATE TABLE authorities (
  username VARCHAR(50) NOT NULL,
  authority VARCHAR(50) NOT NULL,
  UNIQUE KEY ix_auth_username (username, authority)
);
-- admin: {pbkdf2} (spring's Pbkdf2PasswordEncoderTests vector, "password");
-- the others: {bcrypt}.
INSERT INTO users VALUES
  ('admin', '{pbkdf2}0123456789abcdef0123456789abcdef10d883c2a0e653c97175c4a2583a7f1fd3301b319a7657d95f75365ea7c04ce1', TRUE),
  ('user', '{bcrypt}{BCRYPT}', TRUE), ('disabled', '{bcrypt}{BCRYPT}', FALSE), ('plain', '{noop}password', TRUE);
INSERT INTO authorities VALUES ('admin', 'ROLE_ADMIN'), ('admin', 'ROLE_USER'), ('user', 'ROLE_USER'),
  ('disabled', 'ROLE_ADMIN'), ('plain', 'ROLE_ADMIN');
