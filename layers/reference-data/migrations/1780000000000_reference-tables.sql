-- Up Migration

-- Reference data that the gold jobs join against; filled from layers/reference-data/seed
-- and the contracts' currency list by `npm run db:migrate` (and by `npm run stack:up`).
CREATE SCHEMA ref;

CREATE TABLE ref.currencies (
  code char(3) PRIMARY KEY CHECK (code ~ '^[A-Z]{3}$'),
  name text NOT NULL,
  -- decimal places of the minor unit (ISO 4217)
  minor_units smallint NOT NULL CHECK (minor_units BETWEEN 0 AND 4)
);

-- One unit of base_currency is worth `rate` units of quote_currency on rate_date.
CREATE TABLE ref.fx_rates (
  rate_date date NOT NULL,
  base_currency char(3) NOT NULL REFERENCES ref.currencies (code),
  quote_currency char(3) NOT NULL REFERENCES ref.currencies (code),
  rate numeric(18, 8) NOT NULL CHECK (rate > 0),
  PRIMARY KEY (rate_date, base_currency, quote_currency),
  CHECK (base_currency <> quote_currency)
);

-- ISO 18245 merchant category codes.
CREATE TABLE ref.merchant_categories (
  code char(4) PRIMARY KEY CHECK (code ~ '^[0-9]{4}$'),
  description text NOT NULL,
  category_group text NOT NULL
);

CREATE TABLE ref.lines_of_business (
  code text PRIMARY KEY,
  name text NOT NULL,
  segment text NOT NULL CHECK (segment IN ('life', 'non-life'))
);

-- The `product` of a policy (layers/contracts/sources/policies.ts).
CREATE TABLE ref.insurance_products (
  code text PRIMARY KEY,
  name text NOT NULL,
  line_of_business text NOT NULL REFERENCES ref.lines_of_business (code)
);

-- Down Migration

DROP SCHEMA ref CASCADE;
