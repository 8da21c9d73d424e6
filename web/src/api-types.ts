// Generated from docs/openapi.json by openapi-typescript (web/scripts/api-types.mjs): do not
// edit. After the document changes, run `npm run api-types` in web/; src/api-types.test.ts fails
// while this file differs from what the generator makes of the document.

export interface paths {
    "/api/access-changes": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Proposed access changes (dual control) */
        get: operations["get_access_changes"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/access-changes/{id}/approve": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Approve a proposed access change (applies it) */
        post: operations["post_access_changes__id__approve"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/access-changes/{id}/reject": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Reject a proposed access change */
        post: operations["post_access_changes__id__reject"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/alerts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Alerts in the caller's scope */
        get: operations["get_alerts"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/alerts/export": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Alerts in the caller's scope as Excel (every value a text cell) */
        get: operations["get_alerts_export"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/alerts/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** An alert, why it fired, and its evidence rows */
        get: operations["get_alerts__id_"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/alerts/{id}/accountability": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Record accountability (约谈, 诫勉, 通报, 问责) */
        post: operations["post_alerts__id__accountability"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/alerts/{id}/flow": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** An alert's follow-up: stage, deadline, steps, verifications, accountability, earlier alerts */
        get: operations["get_alerts__id__flow"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/alerts/{id}/review": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Return, approve, or transfer as a problem clue */
        post: operations["post_alerts__id__review"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/alerts/{id}/route": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Route (or reroute) an alert to a unit */
        post: operations["post_alerts__id__route"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/alerts/{id}/verification": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Submit the responsible unit's verification */
        post: operations["post_alerts__id__verification"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/audit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The audit log, newest first */
        get: operations["get_audit"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/audit/verify": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Verify the audit chain */
        get: operations["get_audit_verify"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/login": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Sign in */
        post: operations["post_auth_login"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/logout": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Sign out everywhere */
        post: operations["post_auth_logout"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The signed-in account, its role, permissions and CSRF token */
        get: operations["get_auth_me"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/password": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Change one's own password */
        post: operations["post_auth_password"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/totp/confirm": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Confirm TOTP enrolment with a code */
        post: operations["post_auth_totp_confirm"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/totp/setup": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Start TOTP enrolment (administrators) */
        post: operations["post_auth_totp_setup"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/chat/conversations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The caller's conversations (their unit's group included) with unread counts */
        get: operations["get_chat_conversations"];
        put?: never;
        /** Open a one-to-one chat (user_id) or make a group (name, user_ids) */
        post: operations["post_chat_conversations"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/chat/conversations/{id}/messages": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** History before a message, or searched (q); members only */
        get: operations["get_chat_conversations__id__messages"];
        put?: never;
        /** Send a message (text and/or a file); members only */
        post: operations["post_chat_conversations__id__messages"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/chat/conversations/{id}/read": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Mark read up to a message */
        post: operations["post_chat_conversations__id__read"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/chat/people": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The accounts one can chat with, with their units */
        get: operations["get_chat_people"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/chat/ws": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The live chat channel (WebSocket; same origin only) */
        get: operations["get_chat_ws"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/dashboard": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Everything the 智慧监察 dashboard draws */
        get: operations["get_dashboard"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/dataset-types": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Dataset types with fields and checks */
        get: operations["get_dataset_types"];
        put?: never;
        /** Define a dataset type (or change one defined before) */
        post: operations["post_dataset_types"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/dataset-types/{name}/rows": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Current rows of a type in the caller's scope, a page at a time (IDs masked) */
        get: operations["get_dataset_types__name__rows"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/dataset-types/{name}/template": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Excel template of a dataset type */
        get: operations["get_dataset_types__name__template"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/deadlines": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Days each model gives units to verify */
        get: operations["get_deadlines"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/documents": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Documents received (box=received) or sent by the caller's unit (box=sent), searchable (q) */
        get: operations["get_documents"];
        put?: never;
        /** Number and send a document to units or accounts */
        post: operations["post_documents"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/documents/addressees": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Units and accounts a document or notice can go to */
        get: operations["get_documents_addressees"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/documents/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A document: for its sending unit with every recipient's status, for a recipient its own (the first look is the read receipt) */
        get: operations["get_documents__id_"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/documents/{id}/recipients/{rid}/remind": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Remind a recipient that has not done what the document asks */
        post: operations["post_documents__id__recipients__rid__remind"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/documents/{id}/recipients/{rid}/return": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Send a recipient's reply back for revision, with comments */
        post: operations["post_documents__id__recipients__rid__return"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/documents/{id}/reply": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Reply with text and files (after signing; again after a return) */
        post: operations["post_documents__id__reply"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/documents/{id}/sign": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Sign for a document (签收) */
        post: operations["post_documents__id__sign"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/files": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Upload an attachment (multipart: file) */
        post: operations["post_files"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/files/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Download an attachment (uploader, or those who see what it is attached to) */
        get: operations["get_files__id_"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Liveness and version */
        get: operations["get_health"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/integrity/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A person's integrity file: record, sanctions, petitions, opinions (audited) */
        get: operations["get_integrity__id_"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/livelihood": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** 民生监督: a programme's recipients and money by town, village, month and recipient, with alerts and coverage (in scope; audited) */
        get: operations["get_livelihood"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/livelihood/projects": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Livelihood projects: budget against disbursed, contractors' links to office holders (in scope; audited) */
        get: operations["get_livelihood_projects"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/models": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The model library */
        get: operations["get_models"];
        put?: never;
        /** Save a self-service model from its file (new, or the next version) */
        post: operations["post_models"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/models/check": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Validate a model file (every problem listed) */
        post: operations["post_models_check"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/models/dry-run": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Run a model file over the current data; nothing saved */
        post: operations["post_models_dry_run"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/models/examples": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Starting points for self-service models */
        get: operations["get_models_examples"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/models/runs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Recent runs */
        get: operations["get_models_runs"];
        put?: never;
        /** Run models now */
        post: operations["post_models_runs"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/models/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A model's current file */
        get: operations["get_models__id_"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/models/{id}/deadline": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Change a model's verification deadline */
        put: operations["put_models__id__deadline"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/models/{id}/enabled": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Enable or disable a model */
        put: operations["put_models__id__enabled"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/models/{id}/export": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Download a model's file for sharing */
        get: operations["get_models__id__export"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/models/{id}/params": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Change parameter defaults (a new version) */
        put: operations["put_models__id__params"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/names": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The names of models, programmes and loop stages, by code */
        get: operations["get_names"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/notices": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Notices to all or to the caller's unit, pinned first, with read state */
        get: operations["get_notices"];
        put?: never;
        /** Publish a notice to all or to chosen units */
        post: operations["post_notices"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/notices/{id}/pin": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Pin or unpin (the publishing unit) */
        put: operations["put_notices__id__pin"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/notices/{id}/read": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Read receipt */
        post: operations["post_notices__id__read"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/notices/{id}/reads": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Who has read a notice (the publishing unit) */
        get: operations["get_notices__id__reads"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/notifications": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** What the caller must act on, newest first */
        get: operations["get_notifications"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/notifications/{id}/read": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Mark a notification read */
        post: operations["post_notifications__id__read"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/openapi.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** This API as OpenAPI 3.1 */
        get: operations["get_openapi_json"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/opinions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Integrity-opinion requests */
        get: operations["get_opinions"];
        put?: never;
        /** Check, compile and save a request (refused whole if a person does not match the records) */
        post: operations["post_opinions"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/opinions/check": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Check persons against the records before a request */
        post: operations["post_opinions_check"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/opinions/persons-file": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Read a list of persons from a CSV or Excel file (multipart: file) */
        post: operations["post_opinions_persons_file"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/opinions/reply-template": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The reply letter's template and its placeholders */
        get: operations["get_opinions_reply_template"];
        /** Change the reply letter's template (checked; later replies use it) */
        put: operations["put_opinions_reply_template"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/opinions/wording": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The opinion templates */
        get: operations["get_opinions_wording"];
        /** Change the opinion templates (later compilations use them) */
        put: operations["put_opinions_wording"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/opinions/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A request with its persons, findings and opinions (audited) */
        get: operations["get_opinions__id_"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/opinions/{id}/document": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The reply letter as DOCX or PDF (?format=docx|pdf; marked as a draft until approved; audited) */
        get: operations["get_opinions__id__document"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/opinions/{id}/persons/{seq}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Reword one person's opinion while drafted */
        put: operations["put_opinions__id__persons__seq_"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/opinions/{id}/step": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** submit, review, return or approve */
        post: operations["post_opinions__id__step"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/orgs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The organisation tree */
        get: operations["get_orgs"];
        put?: never;
        /** Add an organisation */
        post: operations["post_orgs"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/orgs/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Change an organisation: code and order at once, name, kind, parent or town by proposal */
        put: operations["put_orgs__id_"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/permissions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every permission */
        get: operations["get_permissions"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/persons": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** 一键通 search by ID (whole, masked with *, or leading digits) or name (fuzzy), narrowed by town, village, age; purpose required; audited */
        get: operations["get_persons"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/persons/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Everything the data says about a person, in the caller's scope (discipline records for readers of them); purpose required; audited */
        get: operations["get_persons__id_"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/persons/{id}/graph": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The person's relationship graph, one hop, with each edge's source; purpose required; audited */
        get: operations["get_persons__id__graph"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/recommendations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Supervision recommendations (to one's unit, or all for reviewers) */
        get: operations["get_recommendations"];
        put?: never;
        /** Issue a supervision recommendation to a department */
        post: operations["post_recommendations"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/recommendations/{id}/reply": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** The department's reply to a recommendation */
        post: operations["post_recommendations__id__reply"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/reminders": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** What the caller must act on, counted: alerts, documents, uploads due, opinions, notices */
        get: operations["get_reminders"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/roles": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Roles with permissions and data scopes */
        get: operations["get_roles"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/roles/{code}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Change a role's permissions and data scope */
        put: operations["put_roles__code_"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/schedules": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Upload schedules in the caller's scope, with who is late */
        get: operations["get_schedules"];
        /** Set (or, with due_day 0, remove) an organisation's schedule for a type */
        put: operations["put_schedules"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/security/policy": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The security policy */
        get: operations["get_security_policy"];
        /** Change the security policy */
        put: operations["put_security_policy"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/sessions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Live sessions */
        get: operations["get_sessions"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/sessions/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** End a session */
        delete: operations["delete_sessions__id_"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/stats/loop": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The loop's figures by model, unit, town or month */
        get: operations["get_stats_loop"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/stats/loop/export": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The loop's figures as Excel */
        get: operations["get_stats_loop_export"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/upload-rights": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Who may upload each dataset type */
        get: operations["get_upload_rights"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/upload-rights/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Set who may upload a dataset type */
        put: operations["put_upload_rights__name_"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/uploads": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Uploads in the caller's scope, newest first */
        get: operations["get_uploads"];
        put?: never;
        /** Upload a file (multipart: type, period, file) */
        post: operations["post_uploads"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/uploads/precheck": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** 事前比对: check a payout roll (multipart: period, file) against the payment models; nothing is stored */
        post: operations["post_uploads_precheck"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/uploads/rejections/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A rejected file's row errors as Excel */
        get: operations["get_uploads_rejections__id_"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/uploads/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One upload */
        get: operations["get_uploads__id_"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/users": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Accounts */
        get: operations["get_users"];
        put?: never;
        /** Propose an account (it exists once the security administrator approves it) */
        post: operations["post_users"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/users/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Change an account: name and enabled at once, role or organisation by proposal */
        put: operations["put_users__id_"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/users/{id}/password": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Set a temporary password (changed at next sign-in) */
        post: operations["post_users__id__password"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        AccountabilityForm: {
            /** @default [] */
            attachments?: number[];
            /** @description `YYYY-MM-DD`. */
            decided_on: string;
            /**
             * @description The document's reference (文号).
             * @default
             */
            document?: string;
            kind: string;
            /** @default  */
            note?: string;
            /** @description Names, one per line or separated by 、，, or ;. */
            persons: string;
        };
        AccountabilityId: {
            /** Format: int64 */
            accountability: number;
        };
        /** @description An accountability record with its files. */
        AccountabilityView: {
            decided_on: string;
            document: string;
            files: components["schemas"]["FileView"][];
            /** Format: int64 */
            id: number;
            kind: string;
            note: string;
            persons: string[];
            recorded_at: string;
            recorded_by: string;
        };
        AddresseeOrg: {
            /** Format: int64 */
            id: number;
            kind: string;
            name: string;
        };
        /** @description Units and accounts a document or notice can go to. */
        AddresseeUser: {
            /** Format: int64 */
            id: number;
            name: string;
            /** Format: int64 */
            org_id: number;
        };
        Addressees: {
            orgs: components["schemas"]["AddresseeOrg"][];
            users: components["schemas"]["AddresseeUser"][];
        };
        /** @description An alert, why it fired, and its evidence. */
        AlertDetail: {
            alert: components["schemas"]["AlertView"];
            evidence: components["schemas"]["EvidenceTable"][];
            explanation: components["schemas"]["Explanation"];
        };
        /** @description One step taken by an alert. */
        AlertEvent: {
            actor: string;
            at: string;
            comment: string;
            from_stage: string;
            org: string;
            step: string;
            to_stage: string;
        };
        AlertPage: {
            alerts: components["schemas"]["AlertView"][];
            /**
             * Format: int64
             * @description Alerts matching the filter, on every page.
             */
            total: number;
        };
        /** @description An alert as a list or its page shows it (the subject's ID masked by scope). */
        AlertView: {
            /** @description The suspect amount in yuan ("1234.50"). */
            amount: string | null;
            conclusion: string | null;
            deadline: string | null;
            /** Format: uint64 */
            evidence_rows: number;
            /** Format: int64 */
            id: number;
            model: string;
            /** Format: int64 */
            model_version: number;
            name: string;
            /** Format: int64 */
            org_id: number | null;
            overdue: boolean;
            /** Format: int64 */
            previous_id: number | null;
            /** @description An open alert's priority: what its verification may be expected to recover, in yuan. */
            priority: string | null;
            /** @description Why it ranks where it does, one reason each. */
            priority_reasons: string[];
            program: string;
            raised_at: string;
            responsible: string;
            /** @description The loop's stage and its label. */
            stage: string;
            stage_label: string | null;
            status: string;
            subject: string;
            town: string;
            village: string;
        };
        /** @description The same file, landed before. */
        AlreadyLoaded: {
            already_loaded: boolean;
            /** Format: int64 */
            id: number;
            /** Format: int64 */
            rows: number;
        };
        /** @description A stored record. */
        AuditRecord: {
            /** @description A dotted verb, e.g. `auth.login`, `user.create`, `upload.create`, `person.lookup`. */
            action: string;
            /** @description The account name, or `-` before anyone is known (a failed login names the attempt). */
            actor: string;
            /** @description UTC, RFC 3339. */
            at: string;
            /** @description Anything else worth keeping (never a password, a token or a full ID number). */
            detail: string;
            mac: string;
            /** @description What it acted on, e.g. `user:12`, `upload:7`, `alert:31`. */
            object: string;
            org: string;
            /** @description `ok`, `denied`, `failed` or `rejected`. */
            result: string;
            role: string;
            /** Format: int64 */
            seq: number;
            /** @description The client address. */
            source: string;
        };
        AuditRecords: {
            records: components["schemas"]["AuditRecord"][];
        };
        /** @description The audit chain checked: intact with its length, or the first record that breaks it. */
        ChainCheck: {
            /** Format: int64 */
            first_bad_seq?: number | null;
            intact: boolean;
            problem?: string | null;
            /** Format: int64 */
            records?: number | null;
        };
        /** @description A proposed access change as administrators read it. */
        ChangeView: {
            decided_at: string | null;
            decided_by: string | null;
            /** Format: int64 */
            id: number;
            /** @description `create_user`, `update_user` or `update_org`. */
            kind: string;
            note: string;
            proposed_at: string;
            proposed_by: string;
            /** @description `pending`, `approved` or `rejected`. */
            status: string;
            summary: string;
            target: string;
        };
        Changes: {
            changes: components["schemas"]["ChangeView"][];
        };
        /** @description A model file that passed the checks: what it is and what it reads. */
        Checked: {
            id: string;
            name: string;
            reads: string[];
        };
        /** @description Persons checked against the records; `ok` when none has a problem. */
        Checks: {
            ok: boolean;
            persons: components["schemas"]["PersonCheck"][];
        };
        /** @description A choice in a picker: its value and what a person reads. */
        Choice: {
            label: string;
            value: string;
        };
        CommentBody: {
            /** @default  */
            comment?: string;
        };
        ConditionExplained: {
            /** @description `fire`, `require.N`, `require_any.N` or `forbid.N`. */
            condition: string;
            dataset: string;
            /** @description How the condition relates to the alert: 触发 / 同时存在 / 至少一项存在 / 不存在. */
            kind: string;
            /** @description The condition in words. */
            label: string;
            /** @description The evidence rows that satisfied it. */
            rows: components["schemas"]["Evidence"][];
            /** @description The condition exactly, as the model states it (parameters bound). */
            rule: string;
        };
        /** @description An account one can chat with, and its unit. */
        Contact: {
            /** Format: int64 */
            id: number;
            name: string;
            org: string;
        };
        ContractorLink: {
            official: string;
            /** @description The contractor's person and their role in it (法定代表人, 股东 ...). */
            person: string;
            /** @description Where the office holder serves: an employer and post, or a village and post. */
            post: string;
            /** @description `本人` when that person holds the office, else the relation to the office holder. */
            relation: string;
            role: string;
        };
        /**
         * @description A conversation as its member lists it: a one-to-one chat is titled with the other
         *     account's name.
         */
        ConversationSeen: {
            /** Format: int64 */
            id: number;
            /** @description `direct`, `unit` or `grp`. */
            kind: string;
            last: components["schemas"]["MessageSeen"] | null;
            members: components["schemas"]["Member"][];
            title: string;
            /** Format: int64 */
            unread: number;
        };
        Conversations: {
            conversations: components["schemas"]["ConversationSeen"][];
            /** Format: int64 */
            unread: number;
        };
        /** @description Everything the 智慧监察 dashboard draws. */
        Dashboard: {
            by_model: components["schemas"]["KeyedFigures"][];
            by_month: components["schemas"]["KeyedFigures"][];
            by_town: components["schemas"]["KeyedFigures"][];
            by_unit: components["schemas"]["KeyedFigures"][];
            /**
             * @description What verifying the open alerts in scope may be expected to recover (their priorities'
             *     sum), in yuan.
             */
            expected: string;
            model_names: {
                [key: string]: string;
            };
            overdue: components["schemas"]["OverdueAlert"][];
            /** @description By stage code. */
            stages: {
                [key: string]: components["schemas"]["StageCount"];
            };
            /** @description The suspect amount of every alert in scope (whatever its stage), in yuan. */
            suspect: string;
            total: components["schemas"]["FiguresView"];
        };
        DeadlineBody: {
            /** Format: int64 */
            days: number;
        };
        /** @description The days a model gives units to verify its alerts. */
        DeadlineView: {
            /** Format: int64 */
            days: number;
            model: string;
            name: string | null;
        };
        Deadlines: {
            deadlines: components["schemas"]["DeadlineView"][];
        };
        /** @description A decided change, and the account it made or changed. */
        Decided: {
            change: components["schemas"]["ChangeView"];
            /** Format: int64 */
            user_id: number | null;
        };
        DecisionBody: {
            /** @default  */
            note?: string;
        };
        Document: {
            body: string;
            deadline: string | null;
            /** Format: int64 */
            id: number;
            number: string;
            reply_required: boolean;
            secrecy: string;
            sender: string;
            /** Format: int64 */
            sender_org_id: number;
            sent_at: string;
            title: string;
        };
        /** @description A file of a document or of one of its replies (`of`: `document` or `reply:<id>`). */
        DocumentFile: {
            /** Format: int64 */
            id: number;
            name: string;
            of: string;
            /** Format: int64 */
            size: number;
        };
        DocumentForm: {
            /** @default  */
            body?: string;
            /** @default null */
            deadline?: string | null;
            /** @default [] */
            files?: number[];
            /**
             * @description Whole units.
             * @default []
             */
            org_ids?: number[];
            /** @default false */
            reply_required?: boolean;
            secrecy: string;
            title: string;
            /**
             * @description Single accounts.
             * @default []
             */
            user_ids?: number[];
        };
        DocumentList: {
            documents: components["schemas"]["DocumentRow"][];
            /** @description The secrecy levels a document may carry. */
            secrecy: string[];
        };
        /** @description A document as the caller may see it, and what the caller may do with it. */
        DocumentPage: {
            document: components["schemas"]["Document"];
            files: components["schemas"]["DocumentFile"][];
            is_sender: boolean;
            may_receive: boolean;
            may_send: boolean;
            recipients: components["schemas"]["RecipientStatus"][];
            replies: components["schemas"]["DocumentReply"][];
            sender_org: string;
        };
        DocumentReply: {
            body: string;
            /** Format: int64 */
            id: number;
            /** Format: int64 */
            recipient_id: number;
            replied_at: string;
            replied_by: string;
            returned_at: string | null;
            returned_comment: string | null;
        };
        /**
         * @description A document in a list: the start of its body, its recipients counted and, for a
         *     recipient, its own standing.
         */
        DocumentRow: {
            body: string;
            deadline: string | null;
            /** Format: int64 */
            id: number;
            number: string;
            overdue?: boolean | null;
            /** Format: int64 */
            recipients: number;
            /** Format: int64 */
            replied: number;
            reply_required: boolean;
            secrecy: string;
            sender: string;
            /** Format: int64 */
            sender_org_id: number;
            sent_at: string;
            /** Format: int64 */
            signed: number;
            status?: string | null;
            title: string;
        };
        /** @description `{"ok": true}`: done, for clients that want a body. */
        Done: {
            ok: boolean;
        };
        Draft: {
            findings: components["schemas"]["Finding"][];
            /** @description The opinion as drafted (the drafter may reword it; the findings stay). */
            opinion: string;
            verdict: components["schemas"]["Verdict"];
        };
        /** @description What a model would raise over the current data. */
        DryRunView: {
            /** Format: int64 */
            hits: number;
            reads: string[];
            sample: components["schemas"]["SampleHit"][];
        };
        /** @description An earlier alert on the same subject. */
        EarlierAlert: {
            amount: string | null;
            conclusion: string | null;
            /** Format: int64 */
            id: number;
            model: string;
            program: string;
            raised_at: string;
            stage: string;
            stage_label: string;
        };
        EnabledBody: {
            enabled: boolean;
        };
        Error: {
            error: {
                code: string;
                details?: unknown;
                message: string;
            };
        };
        /** @description A row of some dataset that made an alert fire. */
        Evidence: {
            dataset: string;
            /**
             * Format: int64
             * @description The row as the spreadsheet showed it.
             */
            row: number;
            /** @description The upload's folder (the `_upload` column). */
            upload: string;
        };
        /** @description An evidence table: the rows of one dataset the alert rests on. */
        EvidenceTable: {
            columns: string[];
            dataset: string;
            dataset_label: string;
            labels: string[];
            rows: (string | null)[][];
            upload_dir: string;
        };
        /** @description Example model files by name. */
        Examples: {
            examples: {
                [key: string]: string;
            };
        };
        Explanation: {
            conditions: components["schemas"]["ConditionExplained"][];
            /** @description "模型名（编号 vN）：说明". */
            summary: string;
        };
        Field: {
            key: string;
            label: string;
            /**
             * @description Whether the field holds personal data, and so how it is stored (see [`Protection`]).
             *     Every ID field is personal whatever this says; the standard's own types get theirs from
             *     `personal.toml`, a type an administrator defines says it of its fields.
             */
            personal?: components["schemas"]["Personal"] | null;
            required?: boolean;
            type: components["schemas"]["FieldType"];
            values?: string[];
        };
        /** @enum {string} */
        FieldType: "id18" | "uscc" | "text" | "date" | "month" | "money" | "decimal" | "int" | "enum";
        /** @description One group of payments (a programme, a town, a village, a month or a recipient). */
        Figures: {
            /**
             * Format: int64
             * @description Alerts raised on these payments' programme and place, and how many were found true.
             */
            alerts: number;
            /**
             * Format: int64
             * @description Whole fen.
             */
            amount_fen: number;
            /** Format: int64 */
            confirmed: number;
            key: string;
            label: string;
            /** Format: int64 */
            payments: number;
            /**
             * Format: int64
             * @description Registered residents of the place (coverage = recipients / population), when known.
             */
            population: number | null;
            /** Format: int64 */
            recipients: number;
            /**
             * Format: int64
             * @description 应享未享: people the eligible-but-unpaid models (M22–M24) found for this programme and
             *     place, and how many of those the responsible unit has seen through (closed or
             *     transferred).
             */
            unpaid_eligible: number;
            /** Format: int64 */
            unpaid_handled: number;
        };
        /** @description The loop's figures with money in yuan, the rate and the sentence that sums them up. */
        FiguresView: {
            /** Format: int64 */
            accountable: number;
            /** Format: uint64 */
            closed: number;
            /**
             * Format: uint64
             * @description Closed as 属实 or 部分属实.
             */
            confirmed: number;
            /**
             * Format: uint64
             * @description Closed as 不属实.
             */
            false_positives: number;
            hit_rate: string | null;
            /** Format: int64 */
            interviewed: number;
            /** Format: uint64 */
            overdue: number;
            /** Format: int64 */
            persons_removed: number;
            /** Format: uint64 */
            raised: number;
            /** Format: int64 */
            records_corrected: number;
            recovered: string;
            /** Format: int64 */
            recovered_fen: number;
            recovered_per_alert: string | null;
            /** Format: uint64 */
            routed: number;
            stopped_monthly: string;
            /** Format: int64 */
            stopped_monthly_fen: number;
            summary: string;
            /**
             * Format: uint64
             * @description Verifications submitted at least once.
             */
            verified: number;
        };
        /** @description A sanction of the person. */
        FileSanction: {
            authority: string;
            case_no: string;
            /** Format: date */
            decided: string;
            /**
             * Format: date
             * @description The last day of its impact period; none when it never ends or has none.
             */
            impact_end: string | null;
            permanent: boolean;
            sanction: string;
        };
        /** @description An attachment as its readers see it. */
        FileView: {
            content_type: string;
            created_at: string;
            /** @description The content's SHA-256. */
            fingerprint: string;
            /** Format: int64 */
            id: number;
            name: string;
            /** Format: int64 */
            size: number;
        };
        /** @description One fact the opinion rests on, in words, with the record it came from. */
        Finding: {
            /**
             * @description `petition_open`, `petition_confirmed`, `sanction_in_impact`, `sanction_permanent`,
             *     `sanction_expired`, `sanction_no_impact`, `no_record`.
             */
            kind: string;
            /** @description The record: a petition or case number. */
            record: string;
            text: string;
        };
        /** @description One fact an opinion rests on, with the record it came from (as the compiler stored it). */
        FindingSeen: {
            /**
             * @description `petition_open`, `petition_confirmed`, `sanction_in_impact`, `sanction_permanent`,
             *     `sanction_expired`, `sanction_no_impact`, `no_record`.
             */
            kind: string;
            /** @description A petition or case number. */
            record: string;
            text: string;
        };
        /** @description An alert's follow-up. */
        FlowView: {
            accountability: components["schemas"]["AccountabilityView"][];
            /** @description The steps the caller may take now. */
            allowed: string[];
            closed_at: string | null;
            conclusion: string | null;
            deadline: string | null;
            earlier: components["schemas"]["EarlierAlert"][];
            escalated_at: string | null;
            events: components["schemas"]["AlertEvent"][];
            may_account: boolean;
            org: string | null;
            /** Format: int64 */
            org_id: number | null;
            overdue: boolean;
            routed_at: string | null;
            stage: string;
            stage_label: string;
            verifications: components["schemas"]["VerificationView"][];
        };
        /** @description A person found (the ID as the caller may read it; the page opens by the handle). */
        Found: {
            /** Format: int64 */
            age: number | null;
            gender: string;
            handle: string;
            id_number: string;
            matched: components["schemas"]["MatchKind"];
            name: string;
            town: string;
            village: string;
        };
        FoundPersons: {
            persons: components["schemas"]["Found"][];
        };
        GraphEdge: {
            from: string;
            label: string;
            /** @description The dataset type the link was read from. */
            source: string;
            to: string;
        };
        GraphView: {
            edges: components["schemas"]["GraphEdge"][];
            nodes: components["schemas"]["NodeView"][];
        };
        Health: {
            /** @description `ok`. */
            status: string;
            version: string;
        };
        /** @description A person's integrity file, with the ID as the caller may read it. */
        IntegrityFileView: {
            id_number: string;
            name: string;
            opinions: components["schemas"]["PastOpinion"][];
            org: string;
            party_member: string;
            petitions: components["schemas"]["PetitionRecord"][];
            position: string;
            rank: string;
            sanctions: components["schemas"]["FileSanction"][];
            /** @description Whether the supervised-person records know the person. */
            supervised: boolean;
            supervising_unit: string;
            /** @description The opinion the rules would draft today. */
            today: components["schemas"]["Draft"];
        };
        /** @description One group's figures (a model, unit, town or month). */
        KeyedFigures: {
            /** Format: int64 */
            accountable: number;
            /** Format: uint64 */
            closed: number;
            /**
             * Format: uint64
             * @description Closed as 属实 or 部分属实.
             */
            confirmed: number;
            /**
             * Format: uint64
             * @description Closed as 不属实.
             */
            false_positives: number;
            hit_rate: string | null;
            /** Format: int64 */
            interviewed: number;
            key: string;
            /** Format: uint64 */
            overdue: number;
            /** Format: int64 */
            persons_removed: number;
            /** Format: uint64 */
            raised: number;
            /** Format: int64 */
            records_corrected: number;
            recovered: string;
            /** Format: int64 */
            recovered_fen: number;
            recovered_per_alert: string | null;
            /** Format: uint64 */
            routed: number;
            stopped_monthly: string;
            /** Format: int64 */
            stopped_monthly_fen: number;
            summary: string;
            /**
             * Format: uint64
             * @description Verifications submitted at least once.
             */
            verified: number;
        };
        /** @description A model's latest run: when, and what it found. */
        LastRun: {
            at: string;
            /** Format: int64 */
            hits: number;
            /** Format: int64 */
            raised: number;
            trigger: string;
        };
        /** @description A level of 民生监督, and whether its rows are recipients. */
        LivelihoodLevel: {
            recipients: boolean;
            view: components["schemas"]["ProgrammeView"];
        };
        /** @description A file that landed. */
        Loaded: {
            /** Format: int64 */
            id: number;
            replaced: components["schemas"]["ReplacedUpload"][];
            /** Format: int64 */
            rows: number;
            warnings: components["schemas"]["RowWarning"][];
            /** Format: int64 */
            warnings_total: number;
        };
        LoginBody: {
            password: string;
            /** @default null */
            totp?: string | null;
            username: string;
        };
        /** @description How a search found a person, best first. */
        MatchKind: "id" | "name" | "prefix" | "pinyin";
        /** @description The signed-in account as the web UI needs it. */
        Me: {
            csrf_token: string;
            display_name: string;
            /** Format: int64 */
            id: number;
            /** Format: int64 */
            idle_timeout_minutes: number;
            must_change_password: boolean;
            org: components["schemas"]["MeOrg"];
            permissions: string[];
            role: components["schemas"]["MeRole"];
            session_expires_at: string;
            totp_enrolment_required: boolean;
            username: string;
        };
        MeOrg: {
            /** Format: int64 */
            id: number;
            kind: string;
            name: string;
            town: string;
        };
        MeRole: {
            admin: string | null;
            code: string;
            data_scope: string;
            name: string;
        };
        /** @description A member of a conversation. */
        Member: {
            /** Format: int64 */
            id: number;
            name: string;
        };
        /** @description A message with its sender's name and its file's. */
        MessageSeen: {
            body: string;
            /** Format: int64 */
            conversation_id: number;
            /** Format: int64 */
            file_id: number | null;
            file_name?: string | null;
            /** Format: int64 */
            id: number;
            sender?: string | null;
            /** Format: int64 */
            sender_id: number;
            sent_at: string;
        };
        Messages: {
            messages: components["schemas"]["MessageSeen"][];
        };
        /** @description A model's current file. */
        ModelFile: {
            builtin: boolean;
            enabled: boolean;
            id: string;
            text: string;
            updated_at: string;
            /** Format: int64 */
            version: number;
        };
        ModelText: {
            /**
             * @description "Today" for the dry run (YYYY-MM-DD); the server's today when absent.
             * @default null
             */
            as_of?: string | null;
            /** @description The model file (TOML). */
            text: string;
        };
        ModelView: {
            builtin: boolean;
            description: string;
            enabled: boolean;
            id: string;
            last_run: components["schemas"]["LastRun"] | null;
            name: string;
            params: components["schemas"]["ParamView"][];
            reads: string[];
            /** Format: int64 */
            version: number;
        };
        Models: {
            models: components["schemas"]["ModelView"][];
        };
        /** @description The names people read for the codes the platform keeps: reference data, no one's records. */
        Names: {
            /** @description Model id → name (M01 → 死亡人员仍领取民生资金). */
            models: {
                [key: string]: string;
            };
            /** @description Programme code → name (DIBAO → 最低生活保障). */
            programs: {
                [key: string]: string;
            };
            /** @description The loop's stage code → label (routed → 待核查). */
            stages: {
                [key: string]: string;
            };
        };
        /** @description An account as the system administrator proposes it. */
        NewAccount: {
            display_name: string;
            /** Format: int64 */
            org_id: number;
            /** @description The first password (the account changes it at its first sign-in). */
            password: string;
            /** @description The role's code. */
            role: string;
            username: string;
        };
        NewConversation: {
            /** @default  */
            name?: string;
            /**
             * Format: int64
             * @description A one-to-one chat with this account.
             */
            user_id?: number | null;
            /**
             * @description Or an ad hoc group of these accounts, with a name.
             * @default []
             */
            user_ids?: number[];
        };
        /** @description `{"id": …}`: what was made. */
        NewId: {
            /** Format: int64 */
            id: number;
        };
        NewRequest: {
            persons: components["schemas"]["RequestedPerson"][];
            purpose: string;
            reference: string;
            /** @description `YYYY-MM-DD`. */
            reply_date: string;
            requesting_org: string;
        };
        /** @description The version a change made. */
        NewVersion: {
            /** Format: int64 */
            version: number;
        };
        /** @description A node of the graph: a person (keyed by handle) or a thing. */
        NodeView: {
            handle: string | null;
            id_number: string | null;
            key: string;
            kind: string;
            label: string;
        };
        NoticeForm: {
            body: string;
            /** @default [] */
            org_ids?: number[];
            /** @default false */
            pinned?: boolean;
            title: string;
            /** @default false */
            to_all?: boolean;
        };
        /** @description Who read a notice, and when. */
        NoticeReceipt: {
            name: string;
            read_at: string;
            /** Format: int64 */
            user_id: number;
        };
        /** @description A notice as one viewer sees it: `reads` only on the publishing unit's own. */
        NoticeSeen: {
            author: string;
            /** Format: int64 */
            author_org_id: number;
            body: string;
            /** Format: int64 */
            id: number;
            pinned: boolean;
            published_at: string;
            /** @description Whether the viewer has read it. */
            read: boolean;
            /**
             * Format: int64
             * @description How many have read it (the publishing unit's own notices only).
             */
            reads: number | null;
            title: string;
            to_all: boolean;
        };
        Notices: {
            notices: components["schemas"]["NoticeSeen"][];
            /** Format: int64 */
            unread: number;
        };
        Notification: {
            created_at: string;
            /** Format: int64 */
            id: number;
            kind: string;
            message: string;
            object: string;
            read: boolean;
        };
        Notifications: {
            notifications: components["schemas"]["Notification"][];
            /** Format: int64 */
            unread: number;
        };
        OrgBody: {
            /** @default  */
            code?: string;
            kind: string;
            name: string;
            /**
             * Format: int64
             * @default null
             */
            parent_id?: number | null;
            /**
             * Format: int64
             * @default 0
             */
            sort_order?: number;
            /** @default  */
            town?: string;
        };
        /** @description An organisation of the tree. */
        OrgNode: {
            code: string;
            /** Format: int64 */
            id: number;
            kind: string;
            name: string;
            /** Format: int64 */
            parent_id: number | null;
            /** Format: int64 */
            sort_order: number;
            town: string;
        };
        Orgs: {
            orgs: components["schemas"]["OrgNode"][];
        };
        /** @description An alert past its deadline. */
        OverdueAlert: {
            deadline: string | null;
            /** Format: int64 */
            id: number;
            model: string;
            name: string;
            responsible: string;
        };
        /** @description A parameter with its current default, as the model file writes it. */
        ParamView: {
            label: string;
            name: string;
            value: string;
        };
        ParamsBody: {
            /** @description Parameter name → value as typed (a TOML literal, or a bare word as text). */
            values: {
                [key: string]: string;
            };
        };
        PasswordBody: {
            new_password: string;
            old_password: string;
        };
        PastOpinion: {
            opinion: string;
            purpose: string;
            reference: string;
            reply_date: string;
            /** Format: int64 */
            request_id: number;
            stage: string;
            verdict: string;
        };
        People: {
            people: components["schemas"]["Contact"][];
        };
        /**
         * @description Which kind of role may hold a permission: business roles hold business permissions, each
         *     administrator only its own (and no administrator reads business data).
         * @enum {string}
         */
        PermissionGroup: "business" | "system" | "security" | "audit";
        PermissionView: {
            code: string;
            group: components["schemas"]["PermissionGroup"];
            label: string;
        };
        Permissions: {
            permissions: components["schemas"]["PermissionView"][];
        };
        /** @description An alert about the person. */
        PersonAlert: {
            /** Format: int64 */
            amount_fen: number | null;
            conclusion: string | null;
            /** Format: int64 */
            id: number;
            model: string;
            program: string;
            raised_at: string;
            responsible: string;
            stage: string;
            status: string;
        };
        /** @description What the records say of a requested person before compiling. */
        PersonCheck: {
            /** @description Whether the household register or the supervised-person records know the ID. */
            found: boolean;
            id_number: string;
            /** Format: uint */
            line: number;
            name: string;
            /** @description Something to know that does not stop it (no record of the person at all). */
            note: string | null;
            /** @description A problem that stops compilation (an invalid ID, a name the records give otherwise). */
            problem: string | null;
        };
        /** @description Reads a list of persons from an uploaded CSV or Excel file (multipart field `file`). */
        PersonList: {
            persons: components["schemas"]["RequestedPerson"][];
        };
        /** @description Everything the data says about a person, in the caller's scope. */
        PersonPage: {
            alerts: components["schemas"]["PersonAlert"][];
            discipline_shown: boolean;
            household: components["schemas"]["PersonView"][];
            id_number: string;
            person: components["schemas"]["PersonView"] | null;
            records: components["schemas"]["PersonRecords"][];
        };
        /** @description One dataset type's rows about the person. */
        PersonRecords: {
            columns: string[];
            dataset_type: string;
            discipline: boolean;
            /** @description The ID field that named the person in these rows. */
            field: string;
            label: string;
            /**
             * @description Each column's label in the standard (the column's own name where the standard has none:
             *     the `_upload`/`_row` citation columns).
             */
            labels: string[];
            rows: (string | null)[][];
        };
        /** @description A person of the household register as the caller may read them. */
        PersonView: {
            birth_date: string;
            gender: string;
            handle: string;
            household_id: string;
            id_number: string;
            name: string;
            relation: string;
            town: string;
            village: string;
        };
        /** @description How a personal field is kept at rest. */
        Personal: "token" | "sealed";
        PersonsBody: {
            persons: components["schemas"]["RequestedPerson"][];
        };
        /** @description A petition about the person, as the petition office recorded it. */
        PetitionRecord: {
            category: string;
            /** Format: date */
            closed: string | null;
            conclusion: string | null;
            petition_no: string;
            /** Format: date */
            received: string;
            /** @description 办理中 or 已办结. */
            status: string;
            summary: string;
        };
        PinBody: {
            pinned: boolean;
        };
        /**
         * @description The reply template, with the placeholders it may use.
         *     A placeholder a reply template may use.
         */
        Placeholder: {
            label: string;
            name: string;
        };
        /**
         * @description One row of the roll the models would raise an alert on: the model and the roll's own row,
         *     nothing of the other datasets the model read (the clerk may not browse them).
         */
        PrecheckHit: {
            model: string;
            model_name: string;
            name: string;
            program: string;
            /** @description The roll's rows (as the spreadsheet numbers them) that fired. */
            rows: number[];
            subject: string;
        };
        PrecheckOutcome: {
            hits: components["schemas"]["PrecheckHit"][];
            models: string[];
            /** Format: uint64 */
            rows: number;
        };
        ProgrammeView: {
            /** Format: uint32 */
            min_age: number | null;
            /**
             * Format: int64
             * @description The programme's standard: the monthly maximum in fen, and the minimum age if any.
             */
            monthly_max_fen: number | null;
            /** @description The same payments by month. */
            months: components["schemas"]["Figures"][];
            /** @description Where the view stands: county (all programmes), programme, town or village. */
            program: string | null;
            /** @description The groups one level down (programmes, towns, villages, or recipients). */
            rows: components["schemas"]["Figures"][];
            total: components["schemas"]["Figures"];
            town: string | null;
            village: string | null;
        };
        /**
         * @description A livelihood project: budget against money disbursed, and its contractor's links to people
         *     in office (the contractor's legal representatives, shareholders and managers who hold office
         *     themselves, or whose relatives do).
         */
        ProjectView: {
            budget: string;
            contractor_code: string;
            contractor_name: string;
            department: string;
            disbursed: string;
            links: components["schemas"]["ContractorLink"][];
            name: string;
            project_code: string;
            status: string;
            town: string;
            village: string;
        };
        Projects: {
            projects: components["schemas"]["ProjectView"][];
        };
        /** @description A change waiting for the security administrator. */
        Proposal: {
            /** Format: int64 */
            change_id: number;
            message: string;
            /** @description `pending`. */
            status: string;
        };
        ReadBody: {
            /** Format: int64 */
            up_to: number;
        };
        Receipts: {
            reads: components["schemas"]["NoticeReceipt"][];
        };
        /** @description A recipient as the sender sees it. */
        RecipientStatus: {
            /** Format: int64 */
            document_id: number;
            /** Format: int64 */
            id: number;
            /** @description The unit's name, or "unit · account name" for one account. */
            name: string;
            /** Format: int64 */
            org_id: number;
            overdue: boolean;
            read_at: string | null;
            read_by: string | null;
            reminded_at: string | null;
            /** @description `none`, `replied` or `returned`. */
            reply_state: string;
            signed_at: string | null;
            signed_by: string | null;
            /** @description 已送达, 已签收, 已阅, 已回复, 已退回修改. */
            status: string;
            /**
             * Format: int64
             * @description 0: the whole unit.
             */
            user_id: number;
        };
        /** @description A recommendation as the commission writes it. */
        RecommendationForm: {
            /**
             * @description The alerts it rests on.
             * @default []
             */
            alert_ids?: number[];
            content: string;
            /** @description The document number (文号). */
            number: string;
            /**
             * Format: int64
             * @description The department it goes to.
             */
            org_id: number;
            /** @description The day the reply is due (YYYY-MM-DD). */
            reply_due: string;
            title: string;
        };
        /** @description A recommendation with its department's name and whether the caller may reply. */
        RecommendationView: {
            alert_ids: number[];
            content: string;
            /** Format: int64 */
            id: number;
            issued_at: string;
            issued_by: string;
            may_reply: boolean;
            number: string;
            org: string | null;
            /** Format: int64 */
            org_id: number;
            replied_at: string | null;
            replied_by: string | null;
            reply: string | null;
            reply_due: string;
            title: string;
        };
        Recommendations: {
            recommendations: components["schemas"]["RecommendationView"][];
        };
        /** @description An earlier upload's rows this one replaces. */
        ReplacedUpload: {
            partition: string;
            /** Format: int64 */
            rows: number;
            /** Format: int64 */
            upload_id: number;
        };
        ReplyBody: {
            reply: string;
        };
        ReplyBody2: {
            body: string;
            /** @default [] */
            files?: number[];
        };
        /**
         * @description The texts around the table of persons. `title_font` and `body_font` name the fonts a DOCX
         *     asks the reader's word processor for; the PDF carries its own.
         */
        ReplyTemplate: {
            addressee: string;
            body_font: string;
            closing: string;
            issuer: string;
            opening: string;
            title: string;
            title_font: string;
        };
        ReplyTemplateView: {
            placeholders: components["schemas"]["Placeholder"][];
            template: components["schemas"]["ReplyTemplate"];
        };
        /** @description A request, its persons, and what the caller may do with it. */
        RequestDetail: {
            /** @description The steps the caller may take now. */
            allowed: ("submit" | "review" | "return" | "approve")[];
            may_reword: boolean;
            persons: components["schemas"]["RequestPersonView"][];
            request: components["schemas"]["RequestView"];
        };
        /** @description A person of a request with their findings and opinions. */
        RequestPersonView: {
            drafted_opinion: string;
            /** @description What the records hold, as the compiler found it. */
            findings: components["schemas"]["FindingSeen"][];
            id_number: string;
            name: string;
            opinion: string;
            org: string;
            position: string;
            /** Format: int64 */
            seq: number;
            verdict: string;
        };
        /** @description A request with its stage as people read it. */
        RequestView: {
            approved_at: string | null;
            approved_by: string | null;
            drafted_at: string;
            drafted_by: string;
            /** Format: int64 */
            id: number;
            /** Format: int64 */
            persons: number;
            purpose: string;
            reference: string;
            reply_date: string;
            requesting_org: string;
            return_comment: string;
            reviewed_at: string | null;
            reviewed_by: string | null;
            stage: string;
            stage_label: string;
        };
        /** @description One person as the request names them. */
        RequestedPerson: {
            id_number: string;
            name: string;
        };
        Requests: {
            /** @description The purposes a request may state. */
            purposes: string[];
            requests: components["schemas"]["RequestView"][];
        };
        ResetBody: {
            password: string;
        };
        ReviewBody: {
            /** @default  */
            comment?: string;
            /**
             * @description `return`, `approve` or `transfer`.
             * @enum {string}
             */
            decision: "return" | "approve" | "transfer";
        };
        RewordBody: {
            opinion: string;
        };
        RoleBody: {
            data_scope: string;
            name: string;
            permissions: string[];
        };
        RoleView: {
            /** @description The administrator kind (`system`, `security`, `audit`) of an administrator's role. */
            admin: string | null;
            code: string;
            data_scope: string;
            data_scope_label: string;
            name: string;
            permissions: string[];
        };
        Roles: {
            roles: components["schemas"]["RoleView"][];
        };
        RouteBody: {
            /** Format: int64 */
            org_id: number;
        };
        /** @description A row and column a file's reader warns of (the row still lands). */
        RowWarning: {
            column: string;
            message: string;
            /** Format: uint64 */
            row: number;
        };
        /** @description A page of a type's current rows. */
        RowsPage: {
            columns: string[];
            label: string;
            labels: string[];
            rows: (string | null)[][];
            /** Format: int64 */
            total: number;
        };
        RunBody: {
            /** @default null */
            as_of?: string | null;
            /** @default [] */
            models?: string[];
        };
        /** @description What one model found in a run. */
        RunResult: {
            /** Format: int64 */
            hits: number;
            model: string;
            /** Format: int64 */
            raised: number;
            /** Format: int64 */
            updated: number;
            /** Format: int64 */
            version?: number | null;
        };
        RunResults: {
            results: components["schemas"]["RunResult"][];
        };
        RunView: {
            as_of: string;
            finished_at: string;
            /** Format: int64 */
            id: number;
            results: components["schemas"]["RunResult"][];
            started_at: string;
            trigger: string;
        };
        Runs: {
            runs: components["schemas"]["RunView"][];
        };
        /** @description A hit of a dry run, as a sample. */
        SampleHit: {
            amount: string | null;
            /** Format: int64 */
            evidence_rows: number;
            name: string;
            program: string;
            responsible: string;
            subject: string;
            town: string;
        };
        /** @description A model's saved version. */
        Saved: {
            id: string;
            /** Format: int64 */
            version: number;
        };
        /** @description A schedule with the names people read. */
        ScheduleView: {
            dataset_type: string;
            /**
             * Format: int64
             * @description Days past the due date without delivery (0 when delivered or not yet due).
             */
            days_late: number;
            /** @description When the data that satisfies it was uploaded, if it was. */
            delivered_at: string | null;
            /**
             * Format: date
             * @description This month's due date.
             */
            due_date: string;
            /** Format: int64 */
            due_day: number;
            org: string | null;
            /** Format: int64 */
            org_id: number;
            /** @description The month whose data is due (`YYYY-MM`), or empty for a snapshot type. */
            period: string;
            type_label: string | null;
        };
        Schedules: {
            schedules: components["schemas"]["ScheduleView"][];
        };
        /** @description The security administrator's policy. Bounds keep it from being set below MLPS level 3. */
        SecurityPolicy: {
            /** Format: uint32 */
            absolute_timeout_hours: number;
            /** Format: uint32 */
            audit_retention_days: number;
            /**
             * Format: uint32
             * @description Earlier passwords that may not be reused.
             */
            history: number;
            /** Format: uint32 */
            idle_timeout_minutes: number;
            /** Format: uint32 */
            lockout_minutes: number;
            /** Format: uint32 */
            lockout_threshold: number;
            /** Format: uint32 */
            max_age_days: number;
            /**
             * Format: uint32
             * @description Of lower case, upper case, digits and other characters, how many must appear.
             */
            min_classes: number;
            /** Format: uint32 */
            min_length: number;
            /**
             * @description A second factor (TOTP) for every account, not only for those whose role reads full ID
             *     numbers or administers (which always need one).
             * @default false
             */
            second_factor_for_all: boolean;
        };
        /** @description The security administrator's policy. Bounds keep it from being set below MLPS level 3. */
        SecurityPolicyInput: {
            /** Format: uint32 */
            absolute_timeout_hours: number;
            /** Format: uint32 */
            audit_retention_days: number;
            /**
             * Format: uint32
             * @description Earlier passwords that may not be reused.
             */
            history: number;
            /** Format: uint32 */
            idle_timeout_minutes: number;
            /** Format: uint32 */
            lockout_minutes: number;
            /** Format: uint32 */
            lockout_threshold: number;
            /** Format: uint32 */
            max_age_days: number;
            /**
             * Format: uint32
             * @description Of lower case, upper case, digits and other characters, how many must appear.
             */
            min_classes: number;
            /** Format: uint32 */
            min_length: number;
            /**
             * @description A second factor (TOTP) for every account, not only for those whose role reads full ID
             *     numbers or administers (which always need one).
             * @default false
             */
            second_factor_for_all?: boolean;
        };
        SendBody: {
            /** @default  */
            body?: string;
            /** Format: int64 */
            file?: number | null;
        };
        /** @description A sent document's id and number. */
        Sent: {
            /** Format: int64 */
            id: number;
            number: string;
        };
        SessionView: {
            created_at: string;
            expires_at: string;
            /** @description A prefix of the session's hash: administrators never see a token. */
            id: string;
            last_seen_at: string;
            source: string;
            /** Format: int64 */
            user_id: number;
            username: string | null;
        };
        Sessions: {
            sessions: components["schemas"]["SessionView"][];
        };
        /** @description The session token a signed-in browser still holds. */
        SignedIn: {
            csrf_token: string;
        };
        /** @description How many alerts stand at a stage. */
        StageCount: {
            /** Format: int64 */
            count: number;
            label: string;
        };
        /**
         * @description A dimension the statistics group by.
         * @enum {string}
         */
        StatDimension: "model" | "unit" | "town" | "month";
        Statistics: {
            rows: components["schemas"]["KeyedFigures"][];
            total: components["schemas"]["FiguresView"];
        };
        StepBody: {
            /** @default  */
            comment?: string;
            /**
             * @description `submit`, `review`, `return` or `approve`.
             * @enum {string}
             */
            step: "submit" | "review" | "return" | "approve";
        };
        ToDo: {
            items: components["schemas"]["ToDoItem"][];
            /** Format: int64 */
            total: number;
        };
        /** @description One kind of thing to do, counted, with the page where it is done. */
        ToDoItem: {
            /** Format: int64 */
            count: number;
            kind: string;
            label: string;
            link: string;
        };
        TotpConfirm: {
            code: string;
        };
        /** @description What replacing an enrolled second factor needs: the password and a current code. */
        TotpReEnrol: {
            /** @default  */
            code?: string;
            /** @default  */
            password?: string;
        };
        /** @description A new second factor waiting for its first code. */
        TotpSetup: {
            otpauth_uri: string;
            secret: string;
        };
        TypeBody: {
            /** @description The type's table in the standard's shape (TOML, without the `[types.NAME]` header). */
            definition: string;
            name: string;
        };
        /** @description A type as defined. */
        TypeDefined: {
            /**
             * Format: int64
             * @description How many fields it has.
             */
            fields: number;
            label: string;
            name: string;
        };
        /**
         * @description Every type's uploader list, with the organisations and kinds to pick from.
         *     Who may upload one dataset type.
         */
        TypeUploaders: {
            label: string;
            /** @description The uploaders as people read them. */
            names: string;
            owner: string;
            type: string;
            /** @description `org:ID` or `kind:KIND`. */
            uploaders: string[];
        };
        /**
         * @description A dataset type as the standard writes it, with its name (which the standard's file uses
         *     as the table's key, not as a field).
         */
        TypeView: {
            description: string;
            fields: components["schemas"]["Field"][];
            key: string[];
            label: string;
            name: string;
            owner: string;
            partition: string[];
            period: boolean;
        };
        Types: {
            types: components["schemas"]["TypeView"][];
        };
        UpdateUserBody: {
            display_name: string;
            enabled: boolean;
            /** Format: int64 */
            org_id: number;
            role: string;
        };
        UploadRights: {
            kinds: components["schemas"]["Choice"][];
            types: components["schemas"]["TypeUploaders"][];
        };
        UploadRightsBody: {
            uploaders: string[];
        };
        /** @description When an organisation's data of a type is due. */
        UploadSchedule: {
            dataset_type: string;
            /**
             * Format: int64
             * @description Day of the month, 1–28.
             */
            due_day: number;
            /** Format: int64 */
            org_id: number;
        };
        UploadView: {
            dataset_type: string;
            file_name: string;
            /** Format: int64 */
            id: number;
            /** Format: int64 */
            org_id: number;
            org_name: string;
            /** @description `YYYY-MM` for a monthly type. */
            period: string | null;
            /** Format: int64 */
            rows: number;
            sha256: string;
            uploaded_at: string;
            uploaded_by: string;
        };
        /** @description A type's uploaders as set. */
        UploadersSet: {
            type: string;
            uploaders: string[];
        };
        Uploads: {
            uploads: components["schemas"]["UploadView"][];
        };
        User: {
            display_name: string;
            enabled: boolean;
            /** Format: int64 */
            failed_logins: number;
            /** Format: int64 */
            id: number;
            locked_until: string | null;
            must_change: boolean;
            /** Format: int64 */
            org_id: number;
            password_changed_at: string;
            role: string;
            username: string;
        };
        Users: {
            users: components["schemas"]["User"][];
        };
        /** @description The draft opinion on one person. */
        Verdict: "clean" | "noted" | "under_review" | "barred" | "no_record";
        /** @description A verification form as submitted (text fields as typed). */
        VerificationForm: {
            /** @default [] */
            attachments?: number[];
            conclusion: string;
            /** @default  */
            explanation?: string;
            /** @default  */
            other_outcomes?: string;
            /**
             * Format: uint32
             * @default 0
             */
            persons_removed?: number;
            /**
             * Format: uint32
             * @default 0
             */
            records_corrected?: number;
            /**
             * @description Yuan, e.g. `1234.50`.
             * @default
             */
            recovered?: string;
            /**
             * @description The monthly payment stopped, in yuan: what the roll no longer pays from now on.
             * @default
             */
            stopped_monthly?: string;
        };
        VerificationId: {
            /** Format: int64 */
            verification: number;
        };
        /** @description A verification with its money in yuan and its files. */
        VerificationView: {
            conclusion: string;
            decision: string | null;
            explanation: string;
            files: components["schemas"]["FileView"][];
            /** Format: int64 */
            id: number;
            /** Format: int64 */
            org_id: number;
            other_outcomes: string;
            /** Format: int64 */
            persons_removed: number;
            /** Format: int64 */
            records_corrected: number;
            recovered: string;
            /** Format: int64 */
            recovered_fen: number;
            review_comment: string;
            reviewed_at: string | null;
            reviewed_by: string | null;
            /** Format: int64 */
            round: number;
            stopped_monthly: string;
            /** Format: int64 */
            stopped_monthly_fen: number;
            submitted_at: string;
            submitted_by: string;
        };
        /** @description Wording templates a deployment may edit. */
        Wording: {
            barred: string;
            clean: string;
            /**
             * @description Deployments' earlier settings hold four templates: the fifth has its default.
             * @default 户籍和监察对象记录中均无此人，请核实身份信息后再行回复
             */
            no_record: string;
            noted: string;
            under_review: string;
        };
        /** @description Wording templates a deployment may edit. */
        WordingInput: {
            barred: string;
            clean: string;
            /**
             * @description Deployments' earlier settings hold four templates: the fifth has its default.
             * @default 户籍和监察对象记录中均无此人，请核实身份信息后再行回复
             */
            no_record?: string;
            noted: string;
            under_review: string;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    get_access_changes: {
        parameters: {
            query?: {
                pending?: boolean;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Changes"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    post_access_changes__id__approve: {
        parameters: {
            query?: never;
            header: {
                "X-CSRF-Token": string;
            };
            path: {
                id: number;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["DecisionBody"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Decided"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    post_access_changes__id__reject: {
        parameters: {
            query?: never;
            header: {
                "X-CSRF-Token": string;
            };
            path: {
                id: number;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["DecisionBody"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Decided"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    get_alerts: {
        parameters: {
            query?: {
                /** @description Raised on or after / on or before (YYYY-MM-DD). */
                from?: string;
                limit?: number;
                max_amount?: string;
                /** @description Suspect amount bounds, in yuan. */
                min_amount?: string;
                model?: string;
                offset?: number;
                /** @description Only alerts past their deadline. */
                overdue?: boolean;
                /** @description A whole name, or (for readers of full IDs) a whole ID number or account. */
                q?: string;
                responsible?: string;
                /**
                 * @description `priority` (default: what a verification may be expected to recover, highest first)
                 *     or `model` (by model, then as raised).
                 */
                sort?: "priority" | "model";
                /** @description The loop's stage (`routed`, `pending_review`...). */
                stage?: string;
                status?: string;
                to?: string;
                town?: string;
                village?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AlertPage"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    get_alerts_export: {
        parameters: {
            query?: {
                /** @description Raised on or after / on or before (YYYY-MM-DD). */
                from?: string;
                limit?: number;
                max_amount?: string;
                /** @description Suspect amount bounds, in yuan. */
                min_amount?: string;
                model?: string;
                offset?: number;
                /** @description Only alerts past their deadline. */
                overdue?: boolean;
                /** @description A whole name, or (for readers of full IDs) a whole ID number or account. */
                q?: string;
                responsible?: string;
                /**
                 * @description `priority` (default: what a verification may be expected to recover, highest first)
                 *     or `model` (by model, then as raised).
                 */
                sort?: "priority" | "model";
                /** @description The loop's stage (`routed`, `pending_review`...). */
                stage?: string;
                status?: string;
                to?: string;
                town?: string;
                village?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The file */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": string;
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    get_alerts__id_: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AlertDetail"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    post_alerts__id__accountability: {
        parameters: {
            query?: never;
            header: {
                "X-CSRF-Token": string;
            };
            path: {
                id: number;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["AccountabilityForm"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AccountabilityId"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    get_alerts__id__flow: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["FlowView"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    post_alerts__id__review: {
        parameters: {
            query?: never;
            header: {
                "X-CSRF-Token": string;
            };
            path: {
                id: number;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ReviewBody"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Done"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    post_alerts__id__route: {
        parameters: {
            query?: never;
            header: {
                "X-CSRF-Token": string;
            };
            path: {
                id: number;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RouteBody"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Done"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    post_alerts__id__verification: {
        parameters: {
            query?: never;
            header: {
                "X-CSRF-Token": string;
            };
            path: {
                id: number;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["VerificationForm"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["VerificationId"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    get_audit: {
        parameters: {
            query?: {
                action?: string;
                actor?: string;
                before?: number;
                from?: string;
                limit?: number;
                to?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AuditRecords"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    get_audit_verify: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ChainCheck"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    post_auth_login: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["LoginBody"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SignedIn"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    post_auth_logout: {
        parameters: {
            query?: never;
            header: {
                "X-CSRF-Token": string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Done */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    get_auth_me: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Me"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    post_auth_password: {
        parameters: {
            query?: never;
            header: {
                "X-CSRF-Token": string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PasswordBody"];
            };
        };
        responses: {
            /** @description Done */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    post_auth_totp_confirm: {
        parameters: {
            query?: never;
            header: {
                "X-CSRF-Token": string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["TotpConfirm"];
            };
        };
        responses: {
            /** @description Done */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    post_auth_totp_setup: {
        parameters: {
            query?: never;
            header: {
                "X-CSRF-Token": string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": components["schemas"]["TotpReEnrol"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TotpSetup"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    get_chat_conversations: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Conversations"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    post_chat_conversations: {
        parameters: {
            query?: never;
            header: {
                "X-CSRF-Token": string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["NewConversation"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["NewId"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    get_chat_conversations__id__messages: {
        parameters: {
            query?: {
                before?: number;
                q?: string;
            };
            header?: never;
            path: {
                id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Messages"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    post_chat_conversations__id__messages: {
        parameters: {
            query?: never;
            header: {
                "X-CSRF-Token": string;
            };
            path: {
                id: number;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SendBody"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MessageSeen"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    post_chat_conversations__id__read: {
        parameters: {
            query?: never;
            header: {
                "X-CSRF-Token": string;
            };
            path: {
                id: number;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ReadBody"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Done"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    get_chat_people: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["People"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    get_chat_ws: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Switching to WebSocket */
            101: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    get_dashboard: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Dashboard"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    get_dataset_types: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Types"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    post_dataset_types: {
        parameters: {
            query?: never;
            header: {
                "X-CSRF-Token": string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["TypeBody"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TypeDefined"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    get_dataset_types__name__rows: {
        parameters: {
            query?: {
                limit?: number;
                offset?: number;
            };
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RowsPage"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    get_dataset_types__name__template: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The file */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": string;
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    get_deadlines: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Deadlines"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    get_documents: {
        parameters: {
            query?: {
                /** @description `received` (default) or `sent`. */
                box?: "received" | "sent";
                q?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DocumentList"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    post_documents: {
        parameters: {
            query?: never;
            header: {
                "X-CSRF-Token": string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["DocumentForm"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Sent"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    get_documents_addressees: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Addressees"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    get_documents__id_: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DocumentPage"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    post_documents__id__recipients__rid__remind: {
        parameters: {
            query?: never;
            header: {
                "X-CSRF-Token": string;
            };
            path: {
                id: number;
                rid: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Done"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    post_documents__id__recipients__rid__return: {
        parameters: {
            query?: never;
            header: {
                "X-CSRF-Token": string;
            };
            path: {
                id: number;
                rid: number;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CommentBody"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Done"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    post_documents__id__reply: {
        parameters: {
            query?: never;
            header: {
                "X-CSRF-Token": string;
            };
            path: {
                id: number;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ReplyBody2"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["NewId"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    post_documents__id__sign: {
        parameters: {
            query?: never;
            header: {
                "X-CSRF-Token": string;
            };
            path: {
                id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Done"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    post_files: {
        parameters: {
            query?: never;
            header: {
                "X-CSRF-Token": string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "multipart/form-data": {
                    /** Format: binary */
                    file: string;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["FileView"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    get_files__id_: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The file */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "*/*": string;
                    "application/octet-stream": string;
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    get_health: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Health"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    get_integrity__id_: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["IntegrityFileView"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    get_livelihood: {
        parameters: {
            query?: {
                program?: string;
                town?: string;
                village?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LivelihoodLevel"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    get_livelihood_projects: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Projects"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    get_models: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Models"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    post_models: {
        parameters: {
            query?: never;
            header: {
                "X-CSRF-Token": string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ModelText"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Saved"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    post_models_check: {
        parameters: {
            query?: never;
            header: {
                "X-CSRF-Token": string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ModelText"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Checked"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    post_models_dry_run: {
        parameters: {
            query?: never;
            header: {
                "X-CSRF-Token": string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ModelText"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DryRunView"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    get_models_examples: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Examples"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    get_models_runs: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Runs"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    post_models_runs: {
        parameters: {
            query?: never;
            header: {
                "X-CSRF-Token": string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RunBody"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RunResults"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    get_models__id_: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ModelFile"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    put_models__id__deadline: {
        parameters: {
            query?: never;
            header: {
                "X-CSRF-Token": string;
            };
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["DeadlineBody"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Done"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    put_models__id__enabled: {
        parameters: {
            query?: never;
            header: {
                "X-CSRF-Token": string;
            };
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["EnabledBody"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Done"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    get_models__id__export: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The file */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/toml": string;
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    put_models__id__params: {
        parameters: {
            query?: never;
            header: {
                "X-CSRF-Token": string;
            };
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ParamsBody"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["NewVersion"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    get_names: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Names"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    get_notices: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Notices"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    post_notices: {
        parameters: {
            query?: never;
            header: {
                "X-CSRF-Token": string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["NoticeForm"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["NewId"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    put_notices__id__pin: {
        parameters: {
            query?: never;
            header: {
                "X-CSRF-Token": string;
            };
            path: {
                id: number;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PinBody"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Done"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    post_notices__id__read: {
        parameters: {
            query?: never;
            header: {
                "X-CSRF-Token": string;
            };
            path: {
                id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Done"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    get_notices__id__reads: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Receipts"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    get_notifications: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Notifications"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    post_notifications__id__read: {
        parameters: {
            query?: never;
            header: {
                "X-CSRF-Token": string;
            };
            path: {
                id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Done"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    get_openapi_json: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    get_opinions: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Requests"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    post_opinions: {
        parameters: {
            query?: never;
            header: {
                "X-CSRF-Token": string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["NewRequest"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["NewId"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    post_opinions_check: {
        parameters: {
            query?: never;
            header: {
                "X-CSRF-Token": string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PersonsBody"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Checks"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    post_opinions_persons_file: {
        parameters: {
            query?: never;
            header: {
                "X-CSRF-Token": string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "multipart/form-data": {
                    /** Format: binary */
                    file: string;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PersonList"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    get_opinions_reply_template: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ReplyTemplateView"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    put_opinions_reply_template: {
        parameters: {
            query?: never;
            header: {
                "X-CSRF-Token": string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ReplyTemplate"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Done"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    get_opinions_wording: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Wording"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    put_opinions_wording: {
        parameters: {
            query?: never;
            header: {
                "X-CSRF-Token": string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["WordingInput"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Done"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    get_opinions__id_: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RequestDetail"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    get_opinions__id__document: {
        parameters: {
            query: {
                /** @description `docx` or `pdf`. */
                format: "docx" | "pdf";
            };
            header?: never;
            path: {
                id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The file */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/pdf": string;
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": string;
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    put_opinions__id__persons__seq_: {
        parameters: {
            query?: never;
            header: {
                "X-CSRF-Token": string;
            };
            path: {
                id: number;
                seq: number;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RewordBody"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Done"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    post_opinions__id__step: {
        parameters: {
            query?: never;
            header: {
                "X-CSRF-Token": string;
            };
            path: {
                id: number;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["StepBody"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Done"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    get_orgs: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Orgs"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    post_orgs: {
        parameters: {
            query?: never;
            header: {
                "X-CSRF-Token": string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["OrgBody"];
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["NewId"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    put_orgs__id_: {
        parameters: {
            query?: never;
            header: {
                "X-CSRF-Token": string;
            };
            path: {
                id: number;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["OrgBody"];
            };
        };
        responses: {
            /** @description Proposed: it takes effect once the security administrator approves it */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Proposal"];
                };
            };
            /** @description Applied */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    get_permissions: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Permissions"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    get_persons: {
        parameters: {
            query?: {
                age_max?: number;
                age_min?: number;
                purpose?: string;
                q?: string;
                town?: string;
                village?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["FoundPersons"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    get_persons__id_: {
        parameters: {
            query?: {
                purpose?: string;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PersonPage"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    get_persons__id__graph: {
        parameters: {
            query?: {
                purpose?: string;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GraphView"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    get_recommendations: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Recommendations"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    post_recommendations: {
        parameters: {
            query?: never;
            header: {
                "X-CSRF-Token": string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RecommendationForm"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["NewId"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    post_recommendations__id__reply: {
        parameters: {
            query?: never;
            header: {
                "X-CSRF-Token": string;
            };
            path: {
                id: number;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ReplyBody"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Done"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    get_reminders: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ToDo"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    get_roles: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Roles"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    put_roles__code_: {
        parameters: {
            query?: never;
            header: {
                "X-CSRF-Token": string;
            };
            path: {
                code: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RoleBody"];
            };
        };
        responses: {
            /** @description Done */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    get_schedules: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Schedules"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    put_schedules: {
        parameters: {
            query?: never;
            header: {
                "X-CSRF-Token": string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UploadSchedule"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Done"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    get_security_policy: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SecurityPolicy"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    put_security_policy: {
        parameters: {
            query?: never;
            header: {
                "X-CSRF-Token": string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SecurityPolicyInput"];
            };
        };
        responses: {
            /** @description Done */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    get_sessions: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Sessions"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    delete_sessions__id_: {
        parameters: {
            query?: never;
            header: {
                "X-CSRF-Token": string;
            };
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Done */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    get_stats_loop: {
        parameters: {
            query?: {
                dim?: components["schemas"]["StatDimension"] | null;
                from?: string;
                model?: string;
                to?: string;
                town?: string;
                unit?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Statistics"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    get_stats_loop_export: {
        parameters: {
            query?: {
                dim?: components["schemas"]["StatDimension"] | null;
                from?: string;
                model?: string;
                to?: string;
                town?: string;
                unit?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The file */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": string;
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    get_upload_rights: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UploadRights"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    put_upload_rights__name_: {
        parameters: {
            query?: never;
            header: {
                "X-CSRF-Token": string;
            };
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UploadRightsBody"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UploadersSet"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    get_uploads: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Uploads"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    post_uploads: {
        parameters: {
            query?: never;
            header: {
                "X-CSRF-Token": string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "multipart/form-data": {
                    /** Format: binary */
                    file: string;
                    /** @description The month (`YYYY-MM`) of a monthly type. */
                    period?: string;
                    /** @description The dataset type. */
                    type: string;
                };
            };
        };
        responses: {
            /** @description Already there */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AlreadyLoaded"];
                };
            };
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Loaded"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    post_uploads_precheck: {
        parameters: {
            query?: never;
            header: {
                "X-CSRF-Token": string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "multipart/form-data": {
                    /** Format: binary */
                    file: string;
                    /** @description The month of payment (`YYYY-MM`). */
                    period: string;
                    /** @description Ignored: a roll is always the payment roll type. */
                    type?: string;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PrecheckOutcome"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    get_uploads_rejections__id_: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The file */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": string;
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    get_uploads__id_: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UploadView"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    get_users: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Users"];
                };
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    post_users: {
        parameters: {
            query?: never;
            header: {
                "X-CSRF-Token": string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["NewAccount"];
            };
        };
        responses: {
            /** @description Proposed: it takes effect once the security administrator approves it */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Proposal"];
                };
            };
            /** @description Applied */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    put_users__id_: {
        parameters: {
            query?: never;
            header: {
                "X-CSRF-Token": string;
            };
            path: {
                id: number;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UpdateUserBody"];
            };
        };
        responses: {
            /** @description Proposed: it takes effect once the security administrator approves it */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Proposal"];
                };
            };
            /** @description Applied */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    post_users__id__password: {
        parameters: {
            query?: never;
            header: {
                "X-CSRF-Token": string;
            };
            path: {
                id: number;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ResetBody"];
            };
        };
        responses: {
            /** @description Done */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description An error (see x-error-codes) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
}
