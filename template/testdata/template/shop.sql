-- A shop: customers (with a self-reference) <- orders <- order_items -> products,
-- a table with an awkward name on orders, an unrelated table and a trigger.
CREATE TABLE customers (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  email VARCHAR(190) NOT NULL,
  name VARCHAR(100) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL DEFAULT '' COMMENT 'display name',
  referred_by INT UNSIGNED NULL,
  created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  UNIQUE KEY email (email),
  KEY name_prefix (name(10)),
  CONSTRAINT customers_referrer FOREIGN KEY (referred_by) REFERENCES customers (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='people who buy';
CREATE TABLE products (
  sku VARCHAR(20) NOT NULL PRIMARY KEY,
  title VARCHAR(200) NOT NULL,
  price DECIMAL(10,2) NOT NULL DEFAULT 0.00,
  FULLTEXT KEY title (title)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE orders (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  customer_id INT UNSIGNED NOT NULL,
  amount DECIMAL(12,2) NOT NULL,
  status ENUM('new','paid','shipped') NOT NULL DEFAULT 'new',
  note TEXT,
  KEY by_customer (customer_id, status),
  CONSTRAINT orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id) ON UPDATE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE order_items (
  order_id BIGINT NOT NULL,
  line SMALLINT NOT NULL,
  sku VARCHAR(20) NOT NULL,
  qty INT NOT NULL DEFAULT 1,
  price DECIMAL(10,2) NOT NULL,
  total DECIMAL(12,2) AS (qty * price) STORED,
  PRIMARY KEY (order_id, line),
  KEY sku (sku),
  CONSTRAINT items_order FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE CASCADE,
  CONSTRAINT items_product FOREIGN KEY (sku) REFERENCES products (sku)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE `order notes``x` (
  id INT PRIMARY KEY,
  order_id BIGINT,
  body VARCHAR(10) DEFAULT 'NULL',
  CONSTRAINT `notes order` FOREIGN KEY (order_id) REFERENCES orders (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE audit_log (id INT PRIMARY KEY, msg VARCHAR(100) DEFAULT NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TRIGGER orders_note BEFORE UPDATE ON orders FOR EACH ROW SET NEW.note = CONCAT('was ', OLD.status);

INSERT INTO customers (id, email, name, referred_by) VALUES (1, 'ann@example.com', 'Ann', NULL), (2, 'bob@example.com', 'Bob', 1);
INSERT INTO products VALUES ('P-1', 'Tea', 3.50), ('P-2', 'Cup', 12.00);
INSERT INTO orders (id, customer_id, amount, status) VALUES (1, 1, 15.50, 'paid'), (2, 2, 3.50, 'new');
INSERT INTO order_items (order_id, line, sku, qty, price) VALUES (1, 1, 'P-1', 1, 3.50), (1, 2, 'P-2', 1, 12.00), (2, 1, 'P-1', 1, 3.50);
INSERT INTO `order notes``x` VALUES (1, 1, 'gift');
INSERT INTO audit_log VALUES (1, 'created');
