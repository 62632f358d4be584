-- A channel company's own side. company_admin: the agent who runs it for the company (门店/机构管理员):
-- sees its agents and stores, names its brokers, suspends them, and reads its statement (对账).
ALTER TABLE channel_agents ADD COLUMN company_admin INTEGER NOT NULL DEFAULT 0;

-- The phones a company names as its brokers. Whoever signs in with one of them through the
-- company's link (a phone and a texted code: no password to hand out) joins the company as
-- that broker. One company per phone in a project, as one agent per user.
CREATE TABLE channel_roster (
    project_id BIGINT NOT NULL,
    company_id BIGINT NOT NULL,
    phone TEXT NOT NULL,
    name TEXT NOT NULL,
    store TEXT,
    added_by BIGINT NOT NULL,
    added_at BIGINT NOT NULL,
    UNIQUE (project_id, phone)
);
