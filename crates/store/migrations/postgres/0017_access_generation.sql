-- A counter that every change to what a session's access is made of moves (accounts, roles
-- and their permissions, organisations, settings such as the security policy): a server
-- keeps each session's account, role, organisation, policy and scope while the counter
-- stands, so that a request is resolved with one query (issue 23), and any change, by any
-- process, is seen at the next request. Triggers, so that no write path can forget it;
-- deferred to the commit, so that the counter's row is locked only for the commit's moment
-- and no two writers can wait on each other through it.
CREATE TABLE access_generation (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    n  BIGINT NOT NULL
);
INSERT INTO access_generation (id, n) VALUES (1, 0);
CREATE FUNCTION access_changed() RETURNS trigger AS $$
BEGIN
    UPDATE access_generation SET n = n + 1;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE CONSTRAINT TRIGGER users_changed AFTER INSERT OR UPDATE OR DELETE ON users
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION access_changed();
CREATE CONSTRAINT TRIGGER roles_changed AFTER INSERT OR UPDATE OR DELETE ON roles
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION access_changed();
CREATE CONSTRAINT TRIGGER role_permissions_changed AFTER INSERT OR UPDATE OR DELETE ON role_permissions
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION access_changed();
CREATE CONSTRAINT TRIGGER orgs_changed AFTER INSERT OR UPDATE OR DELETE ON orgs
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION access_changed();
CREATE CONSTRAINT TRIGGER settings_changed AFTER INSERT OR UPDATE OR DELETE ON settings
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION access_changed();
