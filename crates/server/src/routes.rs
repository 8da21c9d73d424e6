//! The one table of routes: method, path, the access each requires, and what it does.
//! The router, the guard, the OpenAPI document and the authorization-matrix test all read it.

use crate::AppState;
use crate::contract::{Operation, Schemas};
use crate::{
    auth, data, disposal as d, documents as doc, files, handlers as h, library as lib,
    opinions as op, uploads,
};
use axum::Router;
use mingjing_domain::access::Permission;

/// What a route requires of its caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not.
    Public,
    /// Any signed-in account, even one that must first change its password or enrol TOTP.
    Session,
    /// A signed-in account whose role holds the permission.
    Perm(Permission),
    /// A signed-in account whose role holds any of these.
    AnyOf(&'static [Permission]),
}

#[derive(Debug, Clone, Copy)]
pub struct RouteInfo {
    pub method: &'static str,
    pub path: &'static str,
    pub access: Access,
    pub tag: &'static str,
    pub summary: &'static str,
    /// The operation as the handler's signature describes it (`crate::contract`).
    pub operation: fn(&str, &mut Schemas) -> Operation,
}

macro_rules! routes {
    ($($method:ident $path:literal => $handler:path, $access:expr, $tag:literal, $summary:literal;)*) => {
        pub const ROUTES: &[RouteInfo] = &[$(RouteInfo {
            method: stringify!($method),
            path: $path,
            access: $access,
            tag: $tag,
            summary: $summary,
            operation: |path, schemas| crate::contract::operation_of(&$handler, path, schemas),
        }),*];

        /// The router, each route with its own body limit: `upload_limit` for the routes
        /// that take files (`FILE_ROUTES`), `JSON_BODY_LIMIT` for every other.
        pub fn router(upload_limit: usize) -> Router<AppState> {
            let r = Router::new();
            $(let r = r.route(
                $path,
                axum::routing::$method($handler).layer(axum::extract::DefaultBodyLimit::max(
                    body_limit(stringify!($method), $path, upload_limit),
                )),
            );)*
            r
        }
    };
}

/// The largest body of a route that takes no file: JSON forms, lists, definitions.
pub const JSON_BODY_LIMIT: usize = 1024 * 1024;

/// The routes whose bodies carry files (multipart), and so may be as large as an upload.
pub const FILE_ROUTES: &[(&str, &str)] = &[
    ("post", "/api/uploads"),
    ("post", "/api/uploads/precheck"),
    ("post", "/api/files"),
    ("post", "/api/opinions/persons-file"),
];

/// A route's body limit.
pub fn body_limit(method: &str, path: &str, upload_limit: usize) -> usize {
    if FILE_ROUTES.contains(&(method, path)) {
        upload_limit
    } else {
        JSON_BODY_LIMIT
    }
}

use Access::{AnyOf, Perm, Public, Session};
use Permission as P;

routes! {
    get "/api/health" => h::health, Public, "system", "Liveness and version";
    get "/api/openapi.json" => crate::openapi::document, Public, "system", "This API as OpenAPI 3.1";

    post "/api/auth/login" => auth::login, Public, "auth", "Sign in";
    post "/api/auth/logout" => auth::logout, Session, "auth", "Sign out everywhere";
    get "/api/auth/me" => auth::me, Session, "auth", "The signed-in account, its role, permissions and CSRF token";
    get "/api/names" => crate::data::names, Session, "data", "The names of models, programmes and loop stages, by code";
    post "/api/auth/password" => auth::change_password, Session, "auth", "Change one's own password";
    post "/api/auth/totp/setup" => auth::totp_setup, Session, "auth", "Start TOTP enrolment (administrators)";
    post "/api/auth/totp/confirm" => auth::totp_confirm, Session, "auth", "Confirm TOTP enrolment with a code";

    get "/api/orgs" => h::list_orgs, Session, "orgs", "The organisation tree";
    post "/api/orgs" => h::create_org, Perm(P::OrgsManage), "orgs", "Add an organisation";
    put "/api/orgs/{id}" => h::update_org, Perm(P::OrgsManage), "orgs", "Change an organisation: code and order at once, name, kind, parent or town by proposal";

    get "/api/users" => h::list_users, Perm(P::UsersManage), "users", "Accounts";
    post "/api/users" => h::create_user, Perm(P::UsersManage), "users", "Propose an account (it exists once the security administrator approves it)";
    put "/api/users/{id}" => h::update_user, Perm(P::UsersManage), "users", "Change an account: name and enabled at once, role or organisation by proposal";
    post "/api/users/{id}/password" => h::reset_password, Perm(P::UsersManage), "users", "Set a temporary password (changed at next sign-in)";

    get "/api/roles" => h::list_roles, AnyOf(&[P::RolesManage, P::UsersManage]), "roles", "Roles with permissions and data scopes";
    put "/api/roles/{code}" => h::update_role, Perm(P::RolesManage), "roles", "Change a role's permissions and data scope";
    get "/api/permissions" => h::list_permissions, AnyOf(&[P::RolesManage, P::UsersManage]), "roles", "Every permission";
    get "/api/access-changes" => h::list_changes, AnyOf(&[P::RolesManage, P::UsersManage, P::OrgsManage]), "security", "Proposed access changes (dual control)";
    post "/api/access-changes/{id}/approve" => h::approve_change, Perm(P::RolesManage), "security", "Approve a proposed access change (applies it)";
    post "/api/access-changes/{id}/reject" => h::reject_change, Perm(P::RolesManage), "security", "Reject a proposed access change";
    get "/api/upload-rights" => h::list_upload_rights, Perm(P::RolesManage), "security", "Who may upload each dataset type";
    put "/api/upload-rights/{name}" => h::put_upload_rights, Perm(P::RolesManage), "security", "Set who may upload a dataset type";
    get "/api/security/policy" => h::get_policy, Perm(P::PolicyManage), "security", "The security policy";
    put "/api/security/policy" => h::put_policy, Perm(P::PolicyManage), "security", "Change the security policy";
    get "/api/sessions" => h::list_sessions, Perm(P::SessionsManage), "security", "Live sessions";
    delete "/api/sessions/{id}" => h::end_session, Perm(P::SessionsManage), "security", "End a session";

    get "/api/audit" => h::list_audit, Perm(P::AuditRead), "audit", "The audit log, newest first";
    get "/api/audit/verify" => h::verify_audit, Perm(P::AuditRead), "audit", "Verify the audit chain";

    get "/api/dataset-types" => h::list_types, Perm(P::DataRead), "data", "Dataset types with fields and checks";
    post "/api/dataset-types" => data::define_type, Perm(P::TypesManage), "data", "Define a dataset type (or change one defined before)";
    get "/api/dataset-types/{name}/rows" => data::browse, Perm(P::DataRead), "data", "Current rows of a type in the caller's scope, a page at a time (IDs masked)";
    get "/api/schedules" => data::schedules, Perm(P::DataRead), "data", "Upload schedules in the caller's scope, with who is late";
    put "/api/schedules" => data::set_schedule, Perm(P::TypesManage), "data", "Set (or, with due_day 0, remove) an organisation's schedule for a type";
    get "/api/dataset-types/{name}/template" => uploads::template, Perm(P::DataRead), "data", "Excel template of a dataset type";
    get "/api/uploads" => uploads::list, Perm(P::DataRead), "data", "Uploads in the caller's scope, newest first";
    post "/api/uploads" => uploads::create, Perm(P::DataUpload), "data", "Upload a file (multipart: type, period, file)";
    get "/api/uploads/{id}" => uploads::get, Perm(P::DataRead), "data", "One upload";
    post "/api/uploads/precheck" => uploads::precheck, Perm(P::DataUpload), "uploads", "事前比对: check a payout roll (multipart: period, file) against the payment models; nothing is stored";
    get "/api/uploads/rejections/{id}" => uploads::rejection_report, Perm(P::DataUpload), "data", "A rejected file's row errors as Excel";

    get "/api/alerts" => h::list_alerts, Perm(P::AlertsRead), "alerts", "Alerts in the caller's scope";
    get "/api/alerts/export" => h::export_alerts, Perm(P::Export), "alerts", "Alerts in the caller's scope as Excel (every value a text cell)";
    get "/api/alerts/{id}" => h::get_alert, Perm(P::AlertsRead), "alerts", "An alert, why it fired, and its evidence rows";
    get "/api/alerts/{id}/flow" => d::flow, Perm(P::AlertsRead), "disposal", "An alert's follow-up: stage, deadline, steps, verifications, accountability, earlier alerts";
    post "/api/alerts/{id}/route" => d::route, Perm(P::AlertsReview), "disposal", "Route (or reroute) an alert to a unit";
    post "/api/alerts/{id}/verification" => d::verify, Perm(P::AlertsVerify), "disposal", "Submit the responsible unit's verification";
    post "/api/alerts/{id}/review" => d::review, Perm(P::AlertsReview), "disposal", "Return, approve, or transfer as a problem clue";
    post "/api/alerts/{id}/accountability" => d::account, Perm(P::AlertsReview), "disposal", "Record accountability (约谈, 诫勉, 通报, 问责)";
    get "/api/stats/loop" => d::stats, Perm(P::AlertsRead), "disposal", "The loop's figures by model, unit, town or month";
    get "/api/stats/loop/export" => d::export_stats, Perm(P::Export), "disposal", "The loop's figures as Excel";
    get "/api/dashboard" => d::dashboard, Perm(P::AlertsRead), "disposal", "Everything the 智慧监察 dashboard draws";
    get "/api/recommendations" => d::list_recommendations, AnyOf(&[P::AlertsReview, P::AlertsVerify]), "disposal", "Supervision recommendations (to one's unit, or all for reviewers)";
    post "/api/recommendations" => d::issue_recommendation, Perm(P::AlertsReview), "disposal", "Issue a supervision recommendation to a department";
    post "/api/recommendations/{id}/reply" => d::reply_recommendation, Perm(P::AlertsVerify), "disposal", "The department's reply to a recommendation";
    get "/api/deadlines" => d::list_deadlines, Perm(P::ModelsRead), "disposal", "Days each model gives units to verify";
    put "/api/models/{id}/deadline" => d::set_deadline, Perm(P::ModelsManage), "disposal", "Change a model's verification deadline";
    post "/api/files" => files::upload, AnyOf(&[P::AlertsVerify, P::AlertsReview, P::DocumentsSend, P::DocumentsReceive]), "files", "Upload an attachment (multipart: file)";
    get "/api/files/{id}" => files::download, Session, "files", "Download an attachment (uploader, or those who see what it is attached to)";
    get "/api/opinions" => op::list, AnyOf(&[P::OpinionsDraft, P::OpinionsReview, P::OpinionsApprove]), "opinions", "Integrity-opinion requests";
    post "/api/opinions" => op::create, Perm(P::OpinionsDraft), "opinions", "Check, compile and save a request (refused whole if a person does not match the records)";
    post "/api/opinions/persons-file" => op::persons_file, Perm(P::OpinionsDraft), "opinions", "Read a list of persons from a CSV or Excel file (multipart: file)";
    get "/api/opinions/wording" => op::get_wording, AnyOf(&[P::OpinionsDraft, P::OpinionsReview, P::OpinionsApprove]), "opinions", "The opinion templates";
    put "/api/opinions/wording" => op::put_wording, Perm(P::OpinionsApprove), "opinions", "Change the opinion templates (later compilations use them)";
    get "/api/opinions/reply-template" => op::get_reply_template, AnyOf(&[P::OpinionsDraft, P::OpinionsReview, P::OpinionsApprove]), "opinions", "The reply letter's template and its placeholders";
    put "/api/opinions/reply-template" => op::put_reply_template, Perm(P::OpinionsApprove), "opinions", "Change the reply letter's template (checked; later replies use it)";
    post "/api/opinions/check" => op::check, Perm(P::OpinionsDraft), "opinions", "Check persons against the records before a request";
    get "/api/opinions/{id}" => op::get, AnyOf(&[P::OpinionsDraft, P::OpinionsReview, P::OpinionsApprove]), "opinions", "A request with its persons, findings and opinions (audited)";
    get "/api/opinions/{id}/document" => op::document, AnyOf(&[P::OpinionsDraft, P::OpinionsReview, P::OpinionsApprove]), "opinions", "The reply letter as DOCX or PDF (?format=docx|pdf; marked as a draft until approved; audited)";
    put "/api/opinions/{id}/persons/{seq}" => op::reword, Perm(P::OpinionsDraft), "opinions", "Reword one person's opinion while drafted";
    post "/api/opinions/{id}/step" => op::step, AnyOf(&[P::OpinionsDraft, P::OpinionsReview, P::OpinionsApprove]), "opinions", "submit, review, return or approve";
    get "/api/livelihood" => crate::livelihood::view, Perm(P::AlertsRead), "livelihood", "民生监督: a programme's recipients and money by town, village, month and recipient, with alerts and coverage (in scope; audited)";
    get "/api/livelihood/projects" => crate::livelihood::projects, Perm(P::AlertsRead), "livelihood", "Livelihood projects: budget against disbursed, contractors' links to office holders (in scope; audited)";
    get "/api/persons" => crate::persons::search, Perm(P::PersonLookup), "persons", "一键通 search by ID (whole, masked with *, or leading digits) or name (fuzzy), narrowed by town, village, age; purpose required; audited";
    get "/api/persons/{id}" => crate::persons::profile, Perm(P::PersonLookup), "persons", "Everything the data says about a person, in the caller's scope (discipline records for readers of them); purpose required; audited";
    get "/api/persons/{id}/graph" => crate::persons::graph, Perm(P::PersonLookup), "persons", "The person's relationship graph, one hop, with each edge's source; purpose required; audited";
    get "/api/integrity/{id}" => crate::integrity_files::get, Perm(P::DisciplineRead), "opinions", "A person's integrity file: record, sanctions, petitions, opinions (audited)";
    get "/api/documents" => doc::list, AnyOf(&[P::DocumentsSend, P::DocumentsReceive]), "documents", "Documents received (box=received) or sent by the caller's unit (box=sent), searchable (q)";
    post "/api/documents" => doc::send, Perm(P::DocumentsSend), "documents", "Number and send a document to units or accounts";
    get "/api/documents/addressees" => doc::addressees, Perm(P::DocumentsSend), "documents", "Units and accounts a document or notice can go to";
    get "/api/documents/{id}" => doc::get, AnyOf(&[P::DocumentsSend, P::DocumentsReceive]), "documents", "A document: for its sending unit with every recipient's status, for a recipient its own (the first look is the read receipt)";
    post "/api/documents/{id}/sign" => doc::sign, Perm(P::DocumentsReceive), "documents", "Sign for a document (签收)";
    post "/api/documents/{id}/reply" => doc::reply, Perm(P::DocumentsReceive), "documents", "Reply with text and files (after signing; again after a return)";
    post "/api/documents/{id}/recipients/{rid}/return" => doc::return_reply, Perm(P::DocumentsSend), "documents", "Send a recipient's reply back for revision, with comments";
    post "/api/documents/{id}/recipients/{rid}/remind" => doc::remind, Perm(P::DocumentsSend), "documents", "Remind a recipient that has not done what the document asks";
    get "/api/chat/ws" => crate::chat::socket, Session, "chat", "The live chat channel (WebSocket; same origin only)";
    get "/api/chat/people" => crate::chat::people, Session, "chat", "The accounts one can chat with, with their units";
    get "/api/chat/conversations" => crate::chat::conversations, Session, "chat", "The caller's conversations (their unit's group included) with unread counts";
    post "/api/chat/conversations" => crate::chat::start, Session, "chat", "Open a one-to-one chat (user_id) or make a group (name, user_ids)";
    get "/api/chat/conversations/{id}/messages" => crate::chat::history, Session, "chat", "History before a message, or searched (q); members only";
    post "/api/chat/conversations/{id}/messages" => crate::chat::send, Session, "chat", "Send a message (text and/or a file); members only";
    post "/api/chat/conversations/{id}/read" => crate::chat::read, Session, "chat", "Mark read up to a message";
    get "/api/notices" => doc::notices, Session, "notices", "Notices to all or to the caller's unit, pinned first, with read state";
    post "/api/notices" => doc::publish, Perm(P::DocumentsSend), "notices", "Publish a notice to all or to chosen units";
    post "/api/notices/{id}/read" => doc::read_notice, Session, "notices", "Read receipt";
    put "/api/notices/{id}/pin" => doc::pin, Perm(P::DocumentsSend), "notices", "Pin or unpin (the publishing unit)";
    get "/api/notices/{id}/reads" => doc::receipts, Perm(P::DocumentsSend), "notices", "Who has read a notice (the publishing unit)";
    get "/api/reminders" => doc::to_do, Session, "notifications", "What the caller must act on, counted: alerts, documents, uploads due, opinions, notices";
    get "/api/notifications" => d::notifications, Session, "notifications", "What the caller must act on, newest first";
    post "/api/notifications/{id}/read" => d::read_notification, Session, "notifications", "Mark a notification read";
    get "/api/models" => h::list_models, Perm(P::ModelsRead), "models", "The model library";
    post "/api/models/runs" => h::run_models, Perm(P::ModelsRun), "models", "Run models now";
    get "/api/models/runs" => h::list_runs, Perm(P::ModelsRead), "models", "Recent runs";
    post "/api/models" => lib::define, Perm(P::ModelsManage), "models", "Save a self-service model from its file (new, or the next version)";
    get "/api/models/examples" => lib::examples, Perm(P::ModelsManage), "models", "Starting points for self-service models";
    post "/api/models/check" => lib::check, Perm(P::ModelsManage), "models", "Validate a model file (every problem listed)";
    post "/api/models/dry-run" => lib::dry_run, Perm(P::ModelsManage), "models", "Run a model file over the current data; nothing saved";
    get "/api/models/{id}" => lib::get_model, Perm(P::ModelsRead), "models", "A model's current file";
    get "/api/models/{id}/export" => lib::export, Perm(P::ModelsRead), "models", "Download a model's file for sharing";
    put "/api/models/{id}/params" => lib::set_params, Perm(P::ModelsManage), "models", "Change parameter defaults (a new version)";
    put "/api/models/{id}/enabled" => lib::set_enabled, Perm(P::ModelsManage), "models", "Enable or disable a model";
}

/// The route an axum path template and method name.
pub fn find(method: &axum::http::Method, path: &str) -> Option<&'static RouteInfo> {
    ROUTES
        .iter()
        .find(|r| r.path == path && r.method.eq_ignore_ascii_case(method.as_str()))
}
