CREATE TABLE `foreign_keys` (
  `id` int(11) NOT NULL,
  `parent_id` int(11) DEFAULT NULL,
  `pa` int(11) DEFAULT NULL,
  `pb` varchar(10) DEFAULT NULL,
  `self_id` int(11) DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `parent_id` (`parent_id`),
  KEY `fk_pair` (`pa`,`pb`),
  KEY `fk_self` (`self_id`),
  CONSTRAINT `fk_pair` FOREIGN KEY (`pa`, `pb`) REFERENCES `fk_pair` (`a`, `b`) ON DELETE SET NULL ON UPDATE CASCADE,
  CONSTRAINT `fk_parent` FOREIGN KEY (`parent_id`) REFERENCES `fk_parent` (`id`) ON DELETE CASCADE,
  CONSTRAINT `fk_self` FOREIGN KEY (`self_id`) REFERENCES `foreign_keys` (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci
