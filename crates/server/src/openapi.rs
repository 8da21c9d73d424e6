//! The OpenAPI 3.1 document, generated from the route table and the error-code table, so
//! that it cannot drift from what the server serves.

use crate::error::ErrorCode;
use crate::routes::{Access, ROUTES};
use axum::Json;
use serde_json::{Map, Value, json};

pub async fn document() -> Json<Value> {
    Json(build())
}

pub fn build() -> Value {
    let mut paths: Map<String, Value> = Map::new();
    for r in ROUTES {
        let params: Vec<Value> = r
            .path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(|name| json!({ "name": name, "in": "path", "required": true, "schema": { "type": "string" } }))
            .collect();
        let (security, permission) = match r.access {
            Access::Public => (json!([]), Value::Null),
            Access::Session => (json!([{ "session": [] }]), Value::Null),
            Access::Perm(p) => (json!([{ "session": [] }]), json!([p.code()])),
            Access::AnyOf(ps) => (
                json!([{ "session": [] }]),
                json!(ps.iter().map(|p| p.code()).collect::<Vec<_>>()),
            ),
        };
        let mut op = json!({
            "summary": r.summary,
            "tags": [r.tag],
            "operationId": format!("{}_{}", r.method, r.path.trim_start_matches("/api/").replace(['/', '{', '}', '-', '.'], "_")),
            "security": security,
            "parameters": params,
            "responses": {
                "200": { "description": "OK" },
                "default": { "description": "An error (see x-error-codes)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
            },
        });
        if !permission.is_null() {
            op["x-permission"] = permission;
        }
        if r.method != "get" && r.access != Access::Public {
            op["parameters"]
                .as_array_mut()
                .expect("array")
                .push(json!({ "name": "X-CSRF-Token", "in": "header", "required": true, "schema": { "type": "string" } }));
        }
        paths
            .entry(r.path.to_string())
            .or_insert_with(|| json!({}))
            .as_object_mut()
            .expect("object")
            .insert(r.method.to_string(), op);
    }
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
            "schemas": {
                "Error": {
                    "type": "object",
                    "properties": { "error": { "type": "object", "properties": {
                        "code": { "type": "string" }, "message": { "type": "string" }, "details": {},
                    }, "required": ["code", "message"] } },
                },
            },
        },
        "x-error-codes": codes,
    })
}
