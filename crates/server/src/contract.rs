//! The API's contract, read off the handlers' own signatures: each argument's type says what
//! the request carries (path segments, query, a JSON or multipart body) and the return type
//! what the response is. The OpenAPI document ([`crate::openapi`]) is built from this, so it
//! cannot describe a route other than the code serves it.
//!
//! A handler argument documents itself through [`Part`], a return type through [`Reply`];
//! [`Documented`] joins them for any handler function, like axum's own `Handler`.

use crate::error::ApiError;
use axum::Json;
use axum::extract::{Path, Query, State, ws::WebSocketUpgrade};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use schemars::{JsonSchema, SchemaGenerator};
use serde::Serialize;
use serde_json::{Map, Value, json};

/// What the document says of one operation.
#[derive(Debug, Default)]
pub struct Operation {
    pub parameters: Vec<Value>,
    pub request_body: Option<Value>,
    /// By status code ("200", "201", ...).
    pub responses: Map<String, Value>,
}

/// Schema generators: requests are read as serde deserialises them (defaults make fields
/// optional), responses as it serialises them.
pub struct Schemas {
    pub requests: SchemaGenerator,
    pub responses: SchemaGenerator,
}

impl Schemas {
    pub fn new() -> Self {
        let settings = schemars::generate::SchemaSettings::draft2020_12().with(|s| {
            s.definitions_path = "/components/schemas".into();
            s.meta_schema = None;
        });
        Schemas {
            requests: settings.clone().for_deserialize().into_generator(),
            responses: settings.for_serialize().into_generator(),
        }
    }
}

impl Default for Schemas {
    fn default() -> Self {
        Schemas::new()
    }
}

/// The context of one route while it is documented.
pub struct Context<'a> {
    pub schemas: &'a mut Schemas,
    /// The path's `{name}` segments not yet claimed by a `Path` argument.
    pub path_names: Vec<String>,
}

/// A handler argument: what it takes from the request.
pub trait Part {
    fn document(_cx: &mut Context<'_>, _op: &mut Operation) {}
}

/// A handler's return type: the responses it gives (errors are documented for every route).
pub trait Reply {
    fn document(cx: &mut Context<'_>, op: &mut Operation);
}

/// A handler function whose arguments and reply document themselves. `M` only tells the
/// arities apart, as in axum's `Handler`.
pub trait Documented<M> {
    fn operation(cx: &mut Context<'_>) -> Operation;
}

macro_rules! documented {
    ($($arg:ident),*) => {
        impl<F, Fut, R, $($arg,)*> Documented<($($arg,)*)> for F
        where
            F: FnOnce($($arg),*) -> Fut,
            Fut: std::future::Future<Output = R>,
            R: Reply,
            $($arg: Part,)*
        {
            fn operation(cx: &mut Context<'_>) -> Operation {
                let mut op = Operation::default();
                $($arg::document(cx, &mut op);)*
                R::document(cx, &mut op);
                op
            }
        }
    };
}

documented!();
documented!(A1);
documented!(A1, A2);
documented!(A1, A2, A3);
documented!(A1, A2, A3, A4);
documented!(A1, A2, A3, A4, A5);
documented!(A1, A2, A3, A4, A5, A6);

/// The operation of `handler` at a path with these `{name}` segments.
pub fn operation_of<M, H: Documented<M>>(
    _handler: &H,
    path: &str,
    schemas: &mut Schemas,
) -> Operation {
    let path_names = path
        .split('/')
        .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .map(str::to_string)
        .collect();
    let mut cx = Context {
        schemas,
        path_names,
    };
    H::operation(&mut cx)
}

// ---- arguments ---------------------------------------------------------------------------

impl<S> Part for State<S> {}
impl<T> Part for axum::Extension<T> {}
impl Part for HeaderMap {}

/// Path segments: one value, or a tuple in the order of the path's `{name}`s.
pub trait PathValues {
    fn schemas(g: &mut SchemaGenerator) -> Vec<Value>;
}

macro_rules! path_scalar {
    ($($t:ty),*) => {$(
        impl PathValues for $t {
            fn schemas(g: &mut SchemaGenerator) -> Vec<Value> {
                vec![g.subschema_for::<$t>().to_value()]
            }
        }
    )*};
}
path_scalar!(i64, String);

impl<A: JsonSchema, B: JsonSchema> PathValues for (A, B) {
    fn schemas(g: &mut SchemaGenerator) -> Vec<Value> {
        vec![
            g.subschema_for::<A>().to_value(),
            g.subschema_for::<B>().to_value(),
        ]
    }
}

impl<T: PathValues> Part for Path<T> {
    fn document(cx: &mut Context<'_>, op: &mut Operation) {
        let schemas = T::schemas(&mut cx.schemas.requests);
        let names: Vec<String> = cx
            .path_names
            .drain(..schemas.len().min(cx.path_names.len()))
            .collect();
        for (name, schema) in names.into_iter().zip(schemas) {
            op.parameters.push(json!({
                "name": name, "in": "path", "required": true, "schema": schema,
            }));
        }
    }
}

/// A query parameter or form field is absent or has a value: it is never `null`, so an
/// `Option`'s schema loses its null (and its null default).
fn present(schema: &Value) -> Value {
    let mut schema = schema.clone();
    if let Some(o) = schema.as_object_mut() {
        let outside_enum = match (o.get("default"), o.get("enum")) {
            (Some(d), Some(Value::Array(values))) => !values.contains(d),
            _ => false,
        };
        if outside_enum || o.get("default").is_some_and(Value::is_null) {
            o.remove("default");
        }
        if let Some(Value::Array(types)) = o.get("type") {
            let kept: Vec<Value> = types.iter().filter(|t| *t != "null").cloned().collect();
            let kept = match kept.as_slice() {
                [one] => one.clone(),
                _ => Value::Array(kept),
            };
            o.insert("type".into(), kept);
        }
    }
    schema
}

/// A query struct: each of its properties is a query parameter.
impl<T: JsonSchema> Part for Query<T> {
    fn document(cx: &mut Context<'_>, op: &mut Operation) {
        let schema = T::json_schema(&mut cx.schemas.requests).to_value();
        let required: Vec<&str> = schema["required"]
            .as_array()
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        if let Some(properties) = schema["properties"].as_object() {
            for (name, property) in properties {
                let mut parameter = json!({
                    "name": name, "in": "query",
                    "required": required.contains(&name.as_str()),
                    "schema": present(property),
                });
                if let Some(description) = property.get("description") {
                    parameter["description"] = description.clone();
                }
                op.parameters.push(parameter);
            }
        }
    }
}

impl<T: JsonSchema> Part for Json<T> {
    fn document(cx: &mut Context<'_>, op: &mut Operation) {
        let schema = cx.schemas.requests.subschema_for::<T>().to_value();
        op.request_body = Some(json!({
            "required": true,
            "content": { "application/json": { "schema": schema } },
        }));
    }
}

/// A body that may be absent (no `Content-Type`); JSON when present.
impl<T: JsonSchema> Part for Option<Json<T>> {
    fn document(cx: &mut Context<'_>, op: &mut Operation) {
        let schema = cx.schemas.requests.subschema_for::<T>().to_value();
        op.request_body = Some(json!({
            "required": false,
            "content": { "application/json": { "schema": schema } },
        }));
    }
}

/// A multipart body with the fields of `T` (a [`FileField`] is a file). The request is
/// handed over whole: the upload routes check its declared length before reading a byte.
pub struct Form<T> {
    pub request: axum::extract::Request,
    fields: std::marker::PhantomData<fn() -> T>,
}

impl<T: JsonSchema> Part for Form<T> {
    fn document(cx: &mut Context<'_>, op: &mut Operation) {
        let mut schema = T::json_schema(&mut cx.schemas.requests).to_value();
        if let Some(properties) = schema["properties"].as_object_mut() {
            for p in properties.values_mut() {
                *p = present(p);
            }
        }
        op.request_body = Some(json!({
            "required": true,
            "content": { "multipart/form-data": { "schema": schema } },
        }));
    }
}

impl<T, S: Send + Sync> axum::extract::FromRequest<S> for Form<T> {
    type Rejection = std::convert::Infallible;

    async fn from_request(req: axum::extract::Request, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Form {
            request: req,
            fields: std::marker::PhantomData,
        })
    }
}

/// A file in a multipart form.
pub struct FileField;

impl JsonSchema for FileField {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "FileField".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(_: &mut SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "format": "binary",
            "contentMediaType": "application/octet-stream",
        })
    }
}

impl Part for WebSocketUpgrade {}

// ---- replies -----------------------------------------------------------------------------

fn json_content(schema: Value) -> Value {
    json!({ "application/json": { "schema": schema } })
}

fn respond(op: &mut Operation, status: StatusCode, description: &str, content: Option<Value>) {
    let mut response = json!({ "description": description });
    if let Some(content) = content {
        response["content"] = content;
    }
    op.responses.insert(status.as_u16().to_string(), response);
}

impl<T: Reply> Reply for Result<T, ApiError> {
    fn document(cx: &mut Context<'_>, op: &mut Operation) {
        T::document(cx, op)
    }
}

impl<T: JsonSchema> Reply for Json<T> {
    fn document(cx: &mut Context<'_>, op: &mut Operation) {
        let schema = cx.schemas.responses.subschema_for::<T>().to_value();
        respond(op, StatusCode::OK, "OK", Some(json_content(schema)));
    }
}

/// 201 with what was made.
pub struct Created<T>(pub T);

impl<T: Serialize> IntoResponse for Created<T> {
    fn into_response(self) -> Response {
        (StatusCode::CREATED, Json(self.0)).into_response()
    }
}

impl<T: JsonSchema> Reply for Created<T> {
    fn document(cx: &mut Context<'_>, op: &mut Operation) {
        let schema = cx.schemas.responses.subschema_for::<T>().to_value();
        respond(
            op,
            StatusCode::CREATED,
            "Created",
            Some(json_content(schema)),
        );
    }
}

/// 204: done, nothing to say.
pub struct NoContent;

impl IntoResponse for NoContent {
    fn into_response(self) -> Response {
        StatusCode::NO_CONTENT.into_response()
    }
}

impl Reply for NoContent {
    fn document(_cx: &mut Context<'_>, op: &mut Operation) {
        respond(op, StatusCode::NO_CONTENT, "Done", None);
    }
}

/// 204 with headers (a cookie cleared).
pub struct NoContentWith(pub HeaderMap);

impl IntoResponse for NoContentWith {
    fn into_response(self) -> Response {
        (StatusCode::NO_CONTENT, self.0).into_response()
    }
}

impl Reply for NoContentWith {
    fn document(_cx: &mut Context<'_>, op: &mut Operation) {
        respond(op, StatusCode::NO_CONTENT, "Done", None);
    }
}

/// JSON with headers (a cookie set).
pub struct JsonWith<T>(pub HeaderMap, pub T);

impl<T: Serialize> IntoResponse for JsonWith<T> {
    fn into_response(self) -> Response {
        (self.0, Json(self.1)).into_response()
    }
}

impl<T: JsonSchema> Reply for JsonWith<T> {
    fn document(cx: &mut Context<'_>, op: &mut Operation) {
        let schema = cx.schemas.responses.subschema_for::<T>().to_value();
        respond(op, StatusCode::OK, "OK", Some(json_content(schema)));
    }
}

/// A new thing made (201), or the one that already was (200).
pub enum CreatedOr<T, U> {
    Created(T),
    Existing(U),
}

impl<T: Serialize, U: Serialize> IntoResponse for CreatedOr<T, U> {
    fn into_response(self) -> Response {
        match self {
            CreatedOr::Created(t) => (StatusCode::CREATED, Json(t)).into_response(),
            CreatedOr::Existing(u) => Json(u).into_response(),
        }
    }
}

impl<T: JsonSchema, U: JsonSchema> Reply for CreatedOr<T, U> {
    fn document(cx: &mut Context<'_>, op: &mut Operation) {
        let created = cx.schemas.responses.subschema_for::<T>().to_value();
        let existing = cx.schemas.responses.subschema_for::<U>().to_value();
        respond(
            op,
            StatusCode::CREATED,
            "Created",
            Some(json_content(created)),
        );
        respond(
            op,
            StatusCode::OK,
            "Already there",
            Some(json_content(existing)),
        );
    }
}

/// A change to access: made at once (204), or proposed for the security administrator's
/// approval (202 with the proposal).
pub enum Change<T> {
    Applied,
    Proposed(T),
}

impl<T: Serialize> IntoResponse for Change<T> {
    fn into_response(self) -> Response {
        match self {
            Change::Applied => StatusCode::NO_CONTENT.into_response(),
            Change::Proposed(p) => (StatusCode::ACCEPTED, Json(p)).into_response(),
        }
    }
}

impl<T: JsonSchema> Reply for Change<T> {
    fn document(cx: &mut Context<'_>, op: &mut Operation) {
        let schema = cx.schemas.responses.subschema_for::<T>().to_value();
        respond(op, StatusCode::NO_CONTENT, "Applied", None);
        respond(
            op,
            StatusCode::ACCEPTED,
            "Proposed: it takes effect once the security administrator approves it",
            Some(json_content(schema)),
        );
    }
}

/// The kinds of file a route answers with.
pub trait FileKind {
    /// The media types the document lists (the response carries one of them).
    const MEDIA_TYPES: &'static [&'static str];
}

/// An Excel workbook.
pub struct Xlsx;
impl FileKind for Xlsx {
    const MEDIA_TYPES: &'static [&'static str] =
        &["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"];
}

/// A letter: Word or PDF, as asked.
pub struct Letter;
impl FileKind for Letter {
    const MEDIA_TYPES: &'static [&'static str] = &[
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/pdf",
    ];
}

/// A model file (TOML).
pub struct Toml;
impl FileKind for Toml {
    const MEDIA_TYPES: &'static [&'static str] = &["application/toml"];
}

/// An attachment: whatever type it was uploaded as.
pub struct AnyFile;
impl FileKind for AnyFile {
    const MEDIA_TYPES: &'static [&'static str] = &["application/octet-stream", "*/*"];
}

/// A file to download, with its `Content-Type` and `Content-Disposition` already set.
pub struct Download<K> {
    pub response: Response,
    kind: std::marker::PhantomData<K>,
}

impl<K: FileKind> Download<K> {
    /// `content_type` is one of `K::MEDIA_TYPES` (attachments: any); `fallback` is the
    /// ASCII name for clients that cannot read `filename*`. Never cached: files hold
    /// personal data.
    pub fn new(bytes: Vec<u8>, content_type: &str, fallback: &str, file_name: &str) -> Self {
        let disposition = format!(
            "attachment; filename=\"{fallback}\"; filename*=UTF-8''{}",
            crate::uploads::percent_encode(file_name)
        );
        let mut response = bytes.into_response();
        let headers = response.headers_mut();
        for (name, value) in [
            (header::CONTENT_TYPE, content_type),
            (header::CONTENT_DISPOSITION, disposition.as_str()),
            (header::CACHE_CONTROL, "no-store"),
        ] {
            if let Ok(v) = axum::http::HeaderValue::from_str(value) {
                headers.insert(name, v);
            }
        }
        Download {
            response,
            kind: std::marker::PhantomData,
        }
    }
}

impl<K> IntoResponse for Download<K> {
    fn into_response(self) -> Response {
        self.response
    }
}

impl<K: FileKind> Reply for Download<K> {
    fn document(_cx: &mut Context<'_>, op: &mut Operation) {
        let content: Map<String, Value> = K::MEDIA_TYPES
            .iter()
            .map(|m| {
                (
                    (*m).to_string(),
                    json!({ "schema": { "type": "string", "contentMediaType": m } }),
                )
            })
            .collect();
        respond(op, StatusCode::OK, "The file", Some(Value::Object(content)));
    }
}

/// The WebSocket handshake's answer.
pub struct Upgraded(pub Response);

impl IntoResponse for Upgraded {
    fn into_response(self) -> Response {
        self.0
    }
}

impl Reply for Upgraded {
    fn document(_cx: &mut Context<'_>, op: &mut Operation) {
        respond(
            op,
            StatusCode::SWITCHING_PROTOCOLS,
            "Switching to WebSocket",
            None,
        );
    }
}

/// `{"ok": true}`: done, for clients that want a body.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Done {
    pub ok: bool,
}

impl Done {
    pub fn json() -> Json<Done> {
        Json(Done { ok: true })
    }
}

/// `{"id": …}`: what was made.
#[derive(Debug, Serialize, JsonSchema)]
pub struct NewId {
    pub id: i64,
}
