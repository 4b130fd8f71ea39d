CREATE TABLE orders (
  order_id BIGINT NOT NULL,
  user_id VARCHAR(128) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  status VARCHAR(16) NOT NULL,
  currency CHAR(3) NOT NULL,
  total_cents BIGINT NOT NULL,
  lines_json TEXT NOT NULL,
  version INT NOT NULL,
  created_at DATETIME(3) NOT NULL,
  updated_at DATETIME(3) NOT NULL,
  PRIMARY KEY (order_id),
  KEY orders_by_user (user_id, order_id)
) ENGINE = InnoDB;
CREATE TABLE idempotency_keys (
  user_id VARCHAR(128) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  idempotency_key VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  request_hash CHAR(64) CHARACTER SET ascii NOT NULL,
  order_id BIGINT NOT NULL,
  created_at DATETIME(3) NOT NULL,
  PRIMARY KEY (user_id, idempotency_key)
) ENGINE = InnoDB;
-- same columns and keys as orders, always
CREATE TABLE orders_history LIKE orders;
