CREATE TABLE `fk_to_unique_key` (
  `id` int(11) NOT NULL,
  `code` varchar(10) NOT NULL,
  `parent_code` varchar(10) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `code` (`code`),
  KEY `fk_parent_code` (`parent_code`),
  CONSTRAINT `fk_parent_code` FOREIGN KEY (`parent_code`) REFERENCES `fk_to_unique_key` (`code`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci
