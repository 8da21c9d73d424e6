-- A counter that every change to what a session's access is made of moves (accounts, roles
-- and their permissions, organisations, settings such as the security policy): a server
-- keeps each session's account, role, organisation, policy and scope while the counter
-- stands, so that a request is resolved with one query (issue 23), and any change, by any
-- process, is seen at the next request. Triggers, so that no write path can forget it.
CREATE TABLE access_generation (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n  INTEGER NOT NULL
);
INSERT INTO access_generation (id, n) VALUES (1, 0);
CREATE TRIGGER users_ins AFTER INSERT ON users BEGIN UPDATE access_generation SET n = n + 1; END;
CREATE TRIGGER users_upd AFTER UPDATE ON users BEGIN UPDATE access_generation SET n = n + 1; END;
CREATE TRIGGER users_del AFTER DELETE ON users BEGIN UPDATE access_generation SET n = n + 1; END;
CREATE TRIGGER roles_ins AFTER INSERT ON roles BEGIN UPDATE access_generation SET n = n + 1; END;
CREATE TRIGGER roles_upd AFTER UPDATE ON roles BEGIN UPDATE access_generation SET n = n + 1; END;
CREATE TRIGGER roles_del AFTER DELETE ON roles BEGIN UPDATE access_generation SET n = n + 1; END;
CREATE TRIGGER role_permissions_ins AFTER INSERT ON role_permissions BEGIN UPDATE access_generation SET n = n + 1; END;
CREATE TRIGGER role_permissions_upd AFTER UPDATE ON role_permissions BEGIN UPDATE access_generation SET n = n + 1; END;
CREATE TRIGGER role_permissions_del AFTER DELETE ON role_permissions BEGIN UPDATE access_generation SET n = n + 1; END;
CREATE TRIGGER orgs_ins AFTER INSERT ON orgs BEGIN UPDATE access_generation SET n = n + 1; END;
CREATE TRIGGER orgs_upd AFTER UPDATE ON orgs BEGIN UPDATE access_generation SET n = n + 1; END;
CREATE TRIGGER orgs_del AFTER DELETE ON orgs BEGIN UPDATE access_generation SET n = n + 1; END;
CREATE TRIGGER settings_ins AFTER INSERT ON settings BEGIN UPDATE access_generation SET n = n + 1; END;
CREATE TRIGGER settings_upd AFTER UPDATE ON settings BEGIN UPDATE access_generation SET n = n + 1; END;
CREATE TRIGGER settings_del AFTER DELETE ON settings BEGIN UPDATE access_generation SET n = n + 1; END;
