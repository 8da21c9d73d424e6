//! Uploads over HTTP with exactly the CLI's semantics (the same `Platform::import`): the whole
//! file lands or none of it. A body over the size limit is answered 413 before it is read; a
//! rejected file's row errors come back in the answer and as an Excel report.

use crate::contract::{CreatedOr, Download, FileField, FileKind, Form, Xlsx};
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::guard::Caller;
use crate::{AppState, Rejection};
use axum::extract::{Multipart, Path, Request, State};
use axum::http::header;
use axum::{Extension, Json};
use mingjing_app::FileError;
use mingjing_app::{ImportInput, ImportOutcome};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::json;

/// How long a rejection report stays downloadable.
const REJECTION_TTL_MINUTES: i64 = 60;

/// Room for the multipart envelope and the other fields beside the file.
pub const ENVELOPE_BYTES: u64 = 64 * 1024;

pub fn file_error(f: FileError) -> ApiError {
    match f {
        FileError::TooLarge { limit, .. } => ApiError::with(
            ErrorCode::FileTooLarge,
            format!("文件超过大小限制（{} MB）", limit / (1024 * 1024)),
        ),
        FileError::Io(e) => {
            tracing::error!(error = %e, "upload i/o");
            ErrorCode::Internal.into()
        }
        FileError::Rows { errors, total } => ApiError::new(ErrorCode::FileRejected).details(json!({
            "total": total,
            "errors": errors.iter().map(|e| json!({
                "row": e.row, "column": e.column, "message": e.problem.zh(),
            })).collect::<Vec<_>>(),
        })),
        FileError::Header(errs) => ApiError::with(ErrorCode::FileRejected, "表头与数据类型不符")
            .details(json!({
                "errors": errs.iter().map(|e| json!({ "row": 1, "message": e.zh() })).collect::<Vec<_>>(),
            })),
        FileError::Limit(e) => ApiError::with(ErrorCode::FileRejected, e.zh()).details(json!({
            "limit": e.limit, "value": e.value, "found": e.found, "place": e.place,
        })),
        other => ApiError::with(ErrorCode::FileRejected, other.to_string()),
    }
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct UploadView {
    pub id: i64,
    pub dataset_type: String,
    pub org_id: i64,
    pub org_name: String,
    /// `YYYY-MM` for a monthly type.
    pub period: Option<String>,
    pub file_name: String,
    pub sha256: String,
    pub rows: i64,
    pub uploaded_by: String,
    pub uploaded_at: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Uploads {
    pub uploads: Vec<UploadView>,
}

pub async fn list(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
) -> ApiResult<Json<Uploads>> {
    let scope = crate::scope::of(&state, &c).await?;
    let uploads = state
        .platform
        .uploads_in(&scope)
        .await?
        .iter()
        .map(upload_view)
        .collect();
    Ok(Json(Uploads { uploads }))
}

fn upload_view(u: &mingjing_app::records::Upload) -> UploadView {
    UploadView {
        id: u.id,
        dataset_type: u.dataset_type.clone(),
        org_id: u.org_id,
        org_name: u.org_name.clone(),
        period: u.period.map(|p| p.to_string()),
        file_name: u.file_name.clone(),
        sha256: u.sha256.clone(),
        rows: u.rows as i64,
        uploaded_by: u.uploaded_by.clone(),
        uploaded_at: u.uploaded_at.clone(),
    }
}

pub async fn get(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<i64>,
) -> ApiResult<Json<UploadView>> {
    let scope = crate::scope::of(&state, &c).await?;
    match state.platform.upload_in(&scope, id).await? {
        Some(u) => Ok(Json(upload_view(&u))),
        // Another unit's upload looks exactly like a missing one.
        None => Err(ErrorCode::NotFound.into()),
    }
}

/// A file sent as multipart (`type`, `period`, `file`), refused when larger than the limit
/// (on the declared length before reading, else as the stream passes it).
pub struct UploadForm {
    pub ty: Option<String>,
    pub period: Option<String>,
    pub file_name: String,
    pub bytes: Vec<u8>,
}

async fn read_form(
    state: &AppState,
    c: &Caller,
    req: Request,
    action: &str,
) -> ApiResult<UploadForm> {
    let limit = state.platform.config.limits.max_file_bytes;
    let too_large = || {
        ApiError::with(
            ErrorCode::FileTooLarge,
            format!("文件超过大小限制（{} MB）", limit / (1024 * 1024)),
        )
    };
    // Refused on the declared length, before a byte of the body is read.
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit + ENVELOPE_BYTES) {
        let detail = format!("declared {} bytes", declared.unwrap_or(0));
        state
            .platform
            .record_refusal(&c.actor(), action, "upload:new", "rejected", &detail)
            .await?;
        return Err(too_large());
    }
    parse_form(req, limit).await
}

/// The multipart form of an upload (`type`, `period`, `file`), the file cut off at `limit`
/// bytes as it streams. No state: the fuzz target feeds it directly.
pub async fn parse_form(req: Request, limit: u64) -> ApiResult<UploadForm> {
    let too_large = || {
        ApiError::with(
            ErrorCode::FileTooLarge,
            format!("文件超过大小限制（{} MB）", limit / (1024 * 1024)),
        )
    };
    let mut multipart = <Multipart as axum::extract::FromRequest<()>>::from_request(req, &())
        .await
        .map_err(|e| ApiError::with(ErrorCode::InvalidRequest, e.body_text()))?;
    let (mut ty, mut period, mut file, mut file_name) = (None, None, None, String::new());
    while let Some(mut field) = multipart
        .next_field()
        .await
        .map_err(|e| ApiError::with(ErrorCode::InvalidRequest, e.body_text()))?
    {
        match field.name().unwrap_or("") {
            "type" => {
                ty = Some(
                    field
                        .text()
                        .await
                        .map_err(|e| ApiError::with(ErrorCode::InvalidRequest, e.body_text()))?,
                )
            }
            "period" => {
                let p = field
                    .text()
                    .await
                    .map_err(|e| ApiError::with(ErrorCode::InvalidRequest, e.body_text()))?;
                period = (!p.trim().is_empty()).then(|| p.trim().to_string());
            }
            "file" => {
                file_name = field.file_name().unwrap_or("upload").to_string();
                let mut bytes = Vec::new();
                // Without a declared length the stream is cut at the limit.
                while let Some(chunk) = field
                    .chunk()
                    .await
                    .map_err(|e| ApiError::with(ErrorCode::InvalidRequest, e.body_text()))?
                {
                    if (bytes.len() + chunk.len()) as u64 > limit {
                        return Err(too_large());
                    }
                    bytes.extend_from_slice(&chunk);
                }
                file = Some(bytes);
            }
            other => {
                return Err(ApiError::with(
                    ErrorCode::InvalidRequest,
                    format!("未知字段“{other}”"),
                ));
            }
        }
    }
    let bytes =
        file.ok_or_else(|| ApiError::with(ErrorCode::InvalidRequest, "缺少文件（file）"))?;
    let file_name: String = file_name
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect();
    Ok(UploadForm {
        ty,
        period,
        file_name,
        bytes,
    })
}

/// [`parse_form`] over raw bytes with a boundary, for the multipart fuzz target.
pub fn parse_form_bytes(boundary: &str, body: Vec<u8>, limit: u64) -> Result<UploadForm, String> {
    let req = axum::http::Request::builder()
        .method("POST")
        .uri("/api/uploads")
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(axum::body::Body::from(body))
        .map_err(|e| e.to_string())?;
    // On a thread of its own: the caller may be inside a runtime already (the CLI is).
    std::thread::scope(|scope| {
        scope
            .spawn(|| {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .build()
                    .map_err(|e| e.to_string())?;
                rt.block_on(parse_form(req, limit))
                    .map_err(|e| e.message.unwrap_or_else(|| e.code.message().to_string()))
            })
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p))
    })
}

/// The fields of an upload.
#[derive(JsonSchema)]
pub struct UploadFields {
    /// The dataset type.
    #[serde(rename = "type")]
    pub ty: String,
    /// The month (`YYYY-MM`) of a monthly type.
    pub period: Option<String>,
    pub file: FileField,
}

/// The fields of a 事前比对 roll.
#[derive(JsonSchema)]
pub struct PrecheckFields {
    /// Ignored: a roll is always the payment roll type.
    #[serde(rename = "type")]
    pub ty: Option<String>,
    /// The month of payment (`YYYY-MM`).
    pub period: String,
    pub file: FileField,
}

/// A row and column a file's reader warns of (the row still lands).
#[derive(Debug, Serialize, JsonSchema)]
pub struct RowWarning {
    pub row: u64,
    pub column: String,
    pub message: String,
}

/// An earlier upload's rows this one replaces.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ReplacedUpload {
    pub upload_id: i64,
    pub rows: i64,
    pub partition: String,
}

/// A file that landed.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Loaded {
    pub id: i64,
    pub rows: i64,
    pub replaced: Vec<ReplacedUpload>,
    pub warnings: Vec<RowWarning>,
    pub warnings_total: i64,
}

/// The same file, landed before.
#[derive(Debug, Serialize, JsonSchema)]
pub struct AlreadyLoaded {
    pub id: i64,
    pub rows: i64,
    pub already_loaded: bool,
}

pub async fn create(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    form: Form<UploadFields>,
) -> ApiResult<CreatedOr<Loaded, AlreadyLoaded>> {
    let UploadForm {
        ty,
        period,
        file_name,
        bytes,
    } = read_form(&state, &c, form.request, "upload.create").await?;
    let ty = ty.ok_or_else(|| ApiError::with(ErrorCode::InvalidRequest, "缺少数据类型（type）"))?;
    let actor = c.actor();
    let outcome = state
        .platform
        .upload(ImportInput {
            dataset_type: &ty,
            org: &c.org.name,
            period: period.as_deref(),
            file_name: &file_name,
            bytes,
            actor: &actor,
        })
        .await;
    match outcome {
        Ok(ImportOutcome::Loaded {
            upload_id,
            checked,
            replaced,
        }) => {
            if state.config.rematch_on_upload {
                spawn_rematch(state.clone(), ty.clone());
            }
            Ok(CreatedOr::Created(Loaded {
                id: upload_id,
                rows: checked.rows as i64,
                replaced: replaced
                    .iter()
                    .map(|r| ReplacedUpload {
                        upload_id: r.upload_id,
                        rows: r.rows as i64,
                        partition: r.partition.clone(),
                    })
                    .collect(),
                warnings: checked
                    .warnings
                    .iter()
                    .map(|w| RowWarning {
                        row: w.row,
                        column: w.column.clone(),
                        message: w.message.clone(),
                    })
                    .collect(),
                warnings_total: checked.warnings_total as i64,
            }))
        }
        Ok(ImportOutcome::AlreadyLoaded { upload }) => Ok(CreatedOr::Existing(AlreadyLoaded {
            id: upload.id,
            rows: upload.rows as i64,
            already_loaded: true,
        })),
        Err(mingjing_app::AppError::File(f)) => {
            let report: Vec<(u64, String, String)> = match &f {
                FileError::Rows { errors, .. } => errors
                    .iter()
                    .map(|e| (e.row, e.column.clone().unwrap_or_default(), e.problem.zh()))
                    .collect(),
                FileError::Header(errs) => {
                    errs.iter().map(|e| (1, String::new(), e.zh())).collect()
                }
                other => vec![(0, String::new(), other.to_string())],
            };
            let mut err = file_error(f);
            if !matches!(err.code, ErrorCode::Internal | ErrorCode::FileTooLarge) {
                let id = mingjing_app::accounts::random_hex(16);
                let mut map = state.rejections.lock().await;
                let now = state.clock.now();
                map.retain(|_, r| now - r.at < chrono::Duration::minutes(REJECTION_TTL_MINUTES));
                map.insert(
                    id.clone(),
                    Rejection {
                        user_id: c.user.id,
                        file_name: file_name.clone(),
                        errors: report,
                        at: now,
                    },
                );
                let mut d = err.details.take().unwrap_or_else(|| json!({}));
                d["report_id"] = json!(id);
                err.details = Some(d);
            }
            Err(err)
        }
        Err(e) => Err(e.into()),
    }
}

/// Re-runs the models that read the type, in the background, one run at a time.
fn spawn_rematch(state: AppState, ty: String) {
    tokio::spawn(async move {
        let _one = state.rematch.lock().await;
        let today = state.today();
        match state.platform.rematch_after_upload(&ty, today).await {
            Ok(outcomes) => {
                let raised: u64 = outcomes.iter().map(|o| o.counts.raised).sum();
                tracing::info!(dataset_type = %ty, models = outcomes.len(), raised, joins = %outcomes.joins, "re-matched after upload");
            }
            Err(e) => tracing::error!(dataset_type = %ty, error = %e, "re-match failed"),
        }
    });
}

pub async fn rejection_report(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiResult<Download<Xlsx>> {
    let map = state.rejections.lock().await;
    let r = map
        .get(&id)
        .filter(|r| r.user_id == c.user.id)
        .ok_or(ErrorCode::NotFound)?;
    let bytes = mingjing_app::sheets::rejection_report(&r.errors)?;
    let name = format!("{}-错误报告.xlsx", r.file_name);
    Ok(xlsx_download(bytes, &name))
}

/// A file name for `filename*=UTF-8''…` (RFC 5987).
pub fn percent_encode(name: &str) -> String {
    name.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

pub fn xlsx_download(bytes: Vec<u8>, file_name: &str) -> Download<Xlsx> {
    Download::new(bytes, Xlsx::MEDIA_TYPES[0], "download.xlsx", file_name)
}

/// An Excel template generated from the type's definition: the header row of labels (text
/// cells) and a sheet that says what each column takes.
pub async fn template(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> ApiResult<Download<Xlsx>> {
    let ty = state.platform.dataset_type(&name).await?;
    let bytes = mingjing_app::sheets::template(&ty)?;
    Ok(xlsx_download(bytes, &format!("{}-模板.xlsx", ty.label)))
}

/// 事前比对: a payout roll checked against the payment models before paying; nothing is stored
/// (no upload, no alert). Audited.
pub async fn precheck(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    form: Form<PrecheckFields>,
) -> ApiResult<Json<mingjing_app::PrecheckOutcome>> {
    let UploadForm {
        period,
        file_name,
        bytes,
        ..
    } = read_form(&state, &c, form.request, "upload.precheck").await?;
    let period = period
        .ok_or_else(|| ApiError::with(ErrorCode::InvalidRequest, "缺少发放月份（period）"))?;
    let mut out = state
        .platform
        .precheck_roll(
            &c.actor(),
            &c.org.name,
            &period,
            &file_name,
            bytes,
            state.today(),
        )
        .await?;
    let scope = crate::scope::of(&state, &c).await?;
    for h in &mut out.hits {
        h.subject = scope.id(&h.subject);
    }
    Ok(Json(out))
}
