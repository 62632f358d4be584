-- selection: online opening (在线开盘). Qualified buyers (认筹), rounds with their lottery, the
-- units each round sells (taken from core when the round is published), and the selections.

-- 认筹: a buyer qualified to choose, with the deposit recorded. buyer_no is the 认筹号 printed on
-- the receipt; household groups the buyers one family counts as (one unit per household unless
-- the round says otherwise); group_code is the eligibility group (无房户 first, say).
CREATE TABLE selection_buyers (
    id INTEGER PRIMARY KEY,
    project_id BIGINT NOT NULL,
    buyer_no TEXT NOT NULL,
    name TEXT NOT NULL,
    phone TEXT NOT NULL,
    household TEXT NOT NULL,
    group_code TEXT NOT NULL,
    unit_limit INTEGER NOT NULL DEFAULT 1,
    deposit BIGINT NOT NULL,
    deposit_at BIGINT NOT NULL,
    status TEXT NOT NULL,               -- qualified, withdrawn
    verified_at BIGINT,                 -- first sign-in with a texted code: the phone is theirs
    created_by BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (project_id, buyer_no),
    UNIQUE (project_id, phone)
);

-- A round: mock (模拟选房) or formal, on the same code path; a mock round never reaches core.
-- status: draft → published (list, units and the seed's commitment fixed) → drawn (order known)
-- → closed. Whether it is open is the clock's business: starts_at ≤ now < ends_at once drawn.
CREATE TABLE selection_rounds (
    id INTEGER PRIMARY KEY,
    project_id BIGINT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,                 -- mock, formal
    status TEXT NOT NULL,
    eligible_groups TEXT NOT NULL,              -- JSON: [{"code","priority"}], who takes part, in what order
    starts_at BIGINT NOT NULL,
    ends_at BIGINT NOT NULL,
    batch_size INTEGER NOT NULL,        -- 0: everyone at once; else buyers per batch, in lottery order
    batch_gap_ms BIGINT NOT NULL,       -- each batch's head start over the next
    household_limit INTEGER NOT NULL,
    signing_days INTEGER NOT NULL,
    seed TEXT,                          -- secret until the draw
    commitment TEXT,
    digits TEXT,
    eligible_csv TEXT,
    result_csv TEXT,
    published_at BIGINT,
    drawn_at BIGINT,
    closed_at BIGINT,
    sold_out_at BIGINT,
    version BIGINT NOT NULL DEFAULT 0,  -- the board's version: one more per sale
    created_by BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX selection_rounds_project ON selection_rounds (project_id, id);

-- Who takes part in a round, in the lottery's order once drawn (seq, batch), and how many units
-- they hold in it: selected < the buyer's limit is the compare-and-set that keeps them within it.
CREATE TABLE selection_entries (
    round_id BIGINT NOT NULL REFERENCES selection_rounds (id),
    buyer_id BIGINT NOT NULL REFERENCES selection_buyers (id),
    priority INTEGER NOT NULL,
    seq INTEGER,
    batch INTEGER,
    selected INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (round_id, buyer_id)
);

CREATE TABLE selection_households (
    round_id BIGINT NOT NULL REFERENCES selection_rounds (id),
    household TEXT NOT NULL,
    selected INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (round_id, household)
);

-- The units a round sells, as core listed them when the round was published (price included:
-- 一房一价 is fixed for the round). status: available, sold; version: the board's version of the
-- unit's last change.
CREATE TABLE selection_units (
    round_id BIGINT NOT NULL REFERENCES selection_rounds (id),
    unit_id BIGINT NOT NULL,
    building TEXT NOT NULL,
    floor INTEGER NOT NULL,
    number TEXT NOT NULL,
    layout TEXT NOT NULL,
    area REAL NOT NULL,
    price BIGINT NOT NULL,
    status TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (round_id, unit_id)
);

-- A selection (选房): a confirmed choice, final. request_id makes a replayed confirmation find it; deal_id is
-- core's subscription, filled by the worker that asks core after the commit (formal rounds).
CREATE TABLE selection_selections (
    id INTEGER PRIMARY KEY,
    round_id BIGINT NOT NULL REFERENCES selection_rounds (id),
    buyer_id BIGINT NOT NULL REFERENCES selection_buyers (id),
    unit_id BIGINT NOT NULL,
    price BIGINT NOT NULL,
    request_id TEXT NOT NULL,
    selected_at BIGINT NOT NULL,
    sign_by BIGINT NOT NULL,
    deal_id BIGINT,
    UNIQUE (round_id, unit_id),
    UNIQUE (round_id, buyer_id, request_id)
);
CREATE INDEX selection_selections_pending ON selection_selections (deal_id) WHERE deal_id IS NULL;
