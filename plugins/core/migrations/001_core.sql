-- core: project profile, teams and roster, customers and their households, inventory, deals.
-- Times are milliseconds since the epoch.

CREATE TABLE core_profiles (
    project_id BIGINT PRIMARY KEY,
    profile TEXT NOT NULL,            -- JSON: address, developer, sales_phone, opening_hours, ...
    protection_days INTEGER NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE core_teams (
    id INTEGER PRIMARY KEY,
    project_id BIGINT NOT NULL,
    name TEXT NOT NULL,
    position INTEGER NOT NULL DEFAULT 100,
    UNIQUE (project_id, name)
);

-- status: on_duty (在岗), off_duty (休息/下班), absent (请假外出), left (离职)
CREATE TABLE core_consultants (
    project_id BIGINT NOT NULL,
    user_id BIGINT NOT NULL,
    name TEXT NOT NULL,
    team_id BIGINT REFERENCES core_teams (id),
    status TEXT NOT NULL,
    weight INTEGER NOT NULL DEFAULT 1,
    position INTEGER NOT NULL DEFAULT 100,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (project_id, user_id)
);

-- A customer is a household: everyone linked to it (spouse, parents, children) counts as the
-- same customer, with one owner. source: natural, channel, referral, ...
CREATE TABLE core_customers (
    id INTEGER PRIMARY KEY,
    project_id BIGINT NOT NULL,
    name TEXT NOT NULL,
    gender TEXT,
    owner_id BIGINT,
    source TEXT NOT NULL,
    channel TEXT,
    first_visit_at BIGINT,
    last_visit_at BIGINT,
    visits BIGINT NOT NULL DEFAULT 0,
    protection_until BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX core_customers_owner ON core_customers (project_id, owner_id);

-- One row per person; the phone is unique in a project, the customer's identity.
CREATE TABLE core_persons (
    id INTEGER PRIMARY KEY,
    project_id BIGINT NOT NULL,
    customer_id BIGINT NOT NULL REFERENCES core_customers (id),
    phone TEXT NOT NULL,
    name TEXT NOT NULL,
    relation TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (project_id, phone)
);
CREATE INDEX core_persons_customer ON core_persons (customer_id);

CREATE TABLE core_buildings (
    id INTEGER PRIMARY KEY,
    project_id BIGINT NOT NULL,
    name TEXT NOT NULL,
    floors INTEGER NOT NULL,
    UNIQUE (project_id, name)
);

-- status: available, held, selected, subscribed (认购), signed (签约)
CREATE TABLE core_units (
    id INTEGER PRIMARY KEY,
    project_id BIGINT NOT NULL,
    building_id BIGINT NOT NULL REFERENCES core_buildings (id),
    floor INTEGER NOT NULL,
    number TEXT NOT NULL,
    layout TEXT NOT NULL,
    area REAL NOT NULL,
    list_price BIGINT NOT NULL,
    status TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    UNIQUE (building_id, number)
);
CREATE INDEX core_units_project ON core_units (project_id, status);

-- kind follows the deal: subscription (认购) then contract (签约); status: active, refunded
CREATE TABLE core_deals (
    id INTEGER PRIMARY KEY,
    project_id BIGINT NOT NULL,
    customer_id BIGINT NOT NULL REFERENCES core_customers (id),
    unit_id BIGINT NOT NULL REFERENCES core_units (id),
    consultant_id BIGINT,
    stage TEXT NOT NULL,
    status TEXT NOT NULL,
    amount BIGINT NOT NULL,
    subscribed_at BIGINT NOT NULL,
    signed_at BIGINT,
    refunded_at BIGINT,
    refund_reason TEXT,
    created_by BIGINT NOT NULL
);
CREATE INDEX core_deals_customer ON core_deals (project_id, customer_id);

CREATE TABLE core_payments (
    id INTEGER PRIMARY KEY,
    deal_id BIGINT NOT NULL REFERENCES core_deals (id),
    amount BIGINT NOT NULL,
    kind TEXT NOT NULL,
    paid_at BIGINT NOT NULL,
    recorded_by BIGINT NOT NULL
);
