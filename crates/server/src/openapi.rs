//! The OpenAPI 3.1 document, generated from the route table and the error-code table, so
//! that it cannot drift from what the server serves.

use crate::contract::Schemas;
use crate::error::ErrorCode;
use crate::routes::{Access, ROUTES};
use axum::Json;
use serde_json::{Map, Value, json};

pub async fn document() -> Json<Value> {
    Json(build())
}

pub fn build() -> Value {
    let mut schemas = Schemas::new();
    let mut paths: Map<String, Value> = Map::new();
    for r in ROUTES {
        let operation = (r.operation)(r.path, &mut schemas);
        let (security, permission) = match r.access {
            Access::Public => (json!([]), Value::Null),
            Access::Session => (json!([{ "session": [] }]), Value::Null),
            Access::Perm(p) => (json!([{ "session": [] }]), json!([p.code()])),
            Access::AnyOf(ps) => (
                json!([{ "session": [] }]),
                json!(ps.iter().map(|p| p.code()).collect::<Vec<_>>()),
            ),
        };
        let mut parameters = operation.parameters;
        if r.method != "get" && r.access != Access::Public {
            parameters.push(json!({ "name": "X-CSRF-Token", "in": "header", "required": true, "schema": { "type": "string" } }));
        }
        let mut responses = operation.responses;
        responses.insert(
            "default".into(),
            json!({ "description": "An error (see x-error-codes)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } }),
        );
        let mut op = Map::new();
        op.insert("summary".into(), json!(r.summary));
        op.insert("tags".into(), json!([r.tag]));
        op.insert(
            "operationId".into(),
            json!(format!(
                "{}_{}",
                r.method,
                r.path
                    .trim_start_matches("/api/")
                    .replace(['/', '{', '}', '-', '.'], "_")
            )),
        );
        op.insert("security".into(), security);
        op.insert("parameters".into(), Value::Array(parameters));
        if let Some(body) = operation.request_body {
            op.insert("requestBody".into(), body);
        }
        op.insert("responses".into(), Value::Object(responses));
        if !permission.is_null() {
            op.insert("x-permission".into(), permission);
        }
        if let Value::Object(item) = paths.entry(r.path.to_string()).or_insert_with(|| json!({})) {
            item.insert(r.method.to_string(), Value::Object(op));
        }
    }
    let mut components = schemas.responses.take_definitions(true);
    let requests = schemas.requests.take_definitions(true);
    // A type read and written with different shapes (defaults make request fields optional)
    // gets a second name for its request form.
    let renamed: Vec<String> = requests
        .iter()
        .filter(|(name, schema)| components.get(*name).is_some_and(|s| s != *schema))
        .map(|(name, _)| name.clone())
        .collect();
    let mut requests = Value::Object(requests);
    for name in &renamed {
        rename_refs(&mut requests, name, &format!("{name}Input"));
        for item in paths.values_mut() {
            for op in item
                .as_object_mut()
                .into_iter()
                .flat_map(|o| o.values_mut())
            {
                if let Some(body) = op.get_mut("requestBody") {
                    rename_refs(body, name, &format!("{name}Input"));
                }
                if let Some(p) = op.get_mut("parameters") {
                    rename_refs(p, name, &format!("{name}Input"));
                }
            }
        }
    }
    if let Value::Object(requests) = requests {
        for (name, schema) in requests {
            let name = if renamed.contains(&name) {
                format!("{name}Input")
            } else {
                name
            };
            components.insert(name, schema);
        }
    }
    components.insert(
        "Error".into(),
        json!({
            "type": "object",
            "properties": { "error": { "type": "object", "properties": {
                "code": { "type": "string" }, "message": { "type": "string" }, "details": {},
            }, "required": ["code", "message"] } },
            "required": ["error"],
        }),
    );
    let codes: Vec<Value> = ErrorCode::ALL
        .iter()
        .map(|c| json!({ "code": c.code(), "status": c.status().as_u16(), "message": c.message() }))
        .collect();
    json!({
        "openapi": "3.1.0",
        "info": { "title": "明镜 智慧监督大数据平台 API", "version": env!("CARGO_PKG_VERSION") },
        "paths": paths,
        "components": {
            "securitySchemes": {
                "session": { "type": "apiKey", "in": "cookie", "name": crate::guard::SESSION_COOKIE },
            },
            "schemas": components,
        },
        "x-error-codes": codes,
    })
}

/// Points every `$ref` to schema `from` at `to`.
fn rename_refs(v: &mut Value, from: &str, to: &str) {
    let old = format!("#/components/schemas/{from}");
    match v {
        Value::Object(o) => {
            if o.get("$ref").and_then(Value::as_str) == Some(old.as_str()) {
                o.insert("$ref".into(), json!(format!("#/components/schemas/{to}")));
            }
            for x in o.values_mut() {
                rename_refs(x, from, to);
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|x| rename_refs(x, from, to)),
        _ => {}
    }
}
