-- Django's auth_user (django/contrib/auth/migrations).
CREATE TABLE auth_user (
  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  password VARCHAR(128) NOT NULL,
  last_login DATETIME(6) DEFAULT NULL,
  is_superuser TINYINT(1) NOT NULL,
  username VARCHAR(150) NOT NULL UNIQUE,
  first_name VARCHAR(150) NOT NULL,
  last_name VARCHAR(150) NOT NULL,
  email VARCHAR(254) NOT NULL,
  is_staff TINYINT(1) NOT NULL,
  is_active TINYINT(1) NOT NULL,
  date_joined DATETIME(6) NOT NULL
);
INSERT INTO auth_user (id, password, is_superuser, username, first_name, last_name, email, is_staff, is_active, date_joined) VALUES
  (1, '{DJANGO}', 1, 'root', '', '', 'root@example.com', 1, 1, NOW()),
  (2, '{DJANGO}', 0, 'staff', '', '', 'staff@example.com', 1, 1, NOW()),
  (3, '{DJANGO}', 0, 'customer', '', '', 'c@example.com', 0, 1, NOW()),
  (4, '{DJANGO}', 1, 'gone', '', '', 'g@example.com', 1, 0, NOW());
