CREATE TABLE `secondary_keys` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `email` varchar(190) NOT NULL,
  `name` varchar(100) NOT NULL,
  `body` text DEFAULT NULL,
  `pos` point NOT NULL,
  `a` int(11) DEFAULT NULL,
  `b` int(11) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `email` (`email`),
  KEY `name_prefix` (`name`(10)),
  KEY `ab` (`a`,`b` DESC),
  KEY `a_comment` (`a`) COMMENT 'index, KEY (a)',
  SPATIAL KEY `pos` (`pos`),
  KEY `id_a` (`id`,`a`),
  FULLTEXT KEY `body` (`body`),
  FULLTEXT KEY `name_body` (`name`,`body`)
) ENGINE=InnoDB AUTO_INCREMENT=100 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci
