//! Every error the API answers with, in one table: code, HTTP status and the message a user
//! reads. Internal details (database errors, paths) are logged, never sent.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use mingjing_app::AppError;
use mingjing_app::StoreError;
use mingjing_app::accounts::SignInRefusal;

macro_rules! error_codes {
    ($($variant:ident => $code:literal, $status:ident, $message:literal;)*) => {
        /// The API's error codes.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum ErrorCode { $($variant),* }

        impl ErrorCode {
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant),*];
            pub fn code(self) -> &'static str { match self { $(ErrorCode::$variant => $code),* } }
            pub fn status(self) -> StatusCode { match self { $(ErrorCode::$variant => StatusCode::$status),* } }
            /// The default message, shown when the error carries none of its own.
            pub fn message(self) -> &'static str { match self { $(ErrorCode::$variant => $message),* } }
        }
    };
}

error_codes! {
    NotAuthenticated => "not_authenticated", UNAUTHORIZED, "请先登录";
    SessionExpired => "session_expired", UNAUTHORIZED, "会话已过期，请重新登录";
    BadCredentials => "bad_credentials", UNAUTHORIZED, "用户名或密码错误";
    AccountLocked => "account_locked", UNAUTHORIZED, "登录失败次数过多，账号已临时锁定";
    TotpRequired => "totp_required", UNAUTHORIZED, "请输入动态口令";
    BadTotp => "bad_totp", UNAUTHORIZED, "动态口令错误";
    PasswordChangeRequired => "password_change_required", FORBIDDEN, "请先修改密码";
    Forbidden => "forbidden", FORBIDDEN, "没有权限执行此操作";
    CsrfRejected => "csrf_rejected", FORBIDDEN, "请求校验失败，请刷新页面后重试";
    NotFound => "not_found", NOT_FOUND, "请求的资源不存在";
    RouteNotFound => "route_not_found", NOT_FOUND, "接口不存在";
    MethodNotAllowed => "method_not_allowed", METHOD_NOT_ALLOWED, "不支持此请求方法";
    InvalidRequest => "invalid_request", BAD_REQUEST, "请求内容有误";
    WeakPassword => "weak_password", BAD_REQUEST, "密码不符合安全策略";
    InvalidPolicy => "invalid_policy", BAD_REQUEST, "安全策略设置不符合要求";
    InvalidModel => "invalid_model", BAD_REQUEST, "模型定义有误";
    UnknownDatasetType => "unknown_dataset_type", BAD_REQUEST, "数据类型不存在";
    PeriodRequired => "period_required", BAD_REQUEST, "此类数据须指定所属月份";
    PeriodRefused => "period_refused", BAD_REQUEST, "此类数据不按月份上传";
    FileRejected => "file_rejected", UNPROCESSABLE_ENTITY, "文件未通过校验，未导入任何数据";
    FileTooLarge => "file_too_large", PAYLOAD_TOO_LARGE, "文件超过大小限制";
    TooManyRequests => "too_many_requests", TOO_MANY_REQUESTS, "请求过于频繁，请稍后再试";
    TimedOut => "timed_out", UNPROCESSABLE_ENTITY, "运行超过时间限制，已停止，未保存任何结果";
    Conflict => "conflict", CONFLICT, "与现有数据冲突";
    IllegalTransition => "illegal_transition", CONFLICT, "预警当前所处环节不允许此操作";
    NotResponsibleUnit => "not_responsible_unit", FORBIDDEN, "只有责任单位可以核查此预警";
    PersonsRejected => "persons_rejected", UNPROCESSABLE_ENTITY, "名单中有人员与记录不符，未作任何处理";
    FileTypeRefused => "file_type_refused", UNSUPPORTED_MEDIA_TYPE, "不支持此文件类型";
    GlyphsMissing => "glyphs_missing", UNPROCESSABLE_ENTITY, "PDF 字体中缺少部分汉字，请下载 Word 版本";
    Internal => "internal", INTERNAL_SERVER_ERROR, "服务器内部错误，请联系管理员";
}

/// An error answer: `{"error": {"code", "message", "details"?}}`.
#[derive(Debug)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: Option<String>,
    /// Structured details a user acts on (the row errors of a rejected file).
    pub details: Option<serde_json::Value>,
    /// Seconds to wait before trying again (`Retry-After`, with 429).
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(code: ErrorCode) -> Self {
        ApiError {
            code,
            message: None,
            details: None,
            retry_after: None,
        }
    }

    pub fn with(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError {
            code,
            message: Some(message.into()),
            details: None,
            retry_after: None,
        }
    }

    pub fn details(mut self, d: serde_json::Value) -> Self {
        self.details = Some(d);
        self
    }
}

impl From<ErrorCode> for ApiError {
    fn from(c: ErrorCode) -> Self {
        ApiError::new(c)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = serde_json::json!({
            "error": {
                "code": self.code.code(),
                "message": self.message.as_deref().unwrap_or(self.code.message()),
            }
        });
        if let Some(d) = self.details {
            body["error"]["details"] = d;
        }
        let mut res = (self.code.status(), axum::Json(body)).into_response();
        if let Some(secs) = self.retry_after {
            res.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from(secs.max(1)),
            );
        }
        res
    }
}

/// Internal failures are logged here and answered without detail.
fn internal(e: &dyn std::fmt::Display) -> ApiError {
    tracing::error!(error = %e, "internal error");
    ApiError::new(ErrorCode::Internal)
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Invalid(m) => ApiError::with(ErrorCode::InvalidRequest, m),
            StoreError::NotFound(_) => ApiError::new(ErrorCode::NotFound),
            StoreError::Conflict(m) => ApiError::with(ErrorCode::Conflict, m),
            e if e.is_unique_violation() => ApiError::new(ErrorCode::Conflict),
            e => internal(&e),
        }
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::UnknownType(t) => ApiError::with(
                ErrorCode::UnknownDatasetType,
                format!("数据类型“{t}”不存在"),
            ),
            AppError::PeriodRequired(_) => ErrorCode::PeriodRequired.into(),
            AppError::PeriodRefused(_) => ErrorCode::PeriodRefused.into(),
            AppError::BadPeriod(m) => ApiError::with(ErrorCode::InvalidRequest, m),
            AppError::UnknownModel(m) => {
                ApiError::with(ErrorCode::NotFound, format!("模型 {m} 不存在"))
            }
            AppError::InvalidModel(problems) => ApiError::new(ErrorCode::InvalidModel)
                .details(serde_json::json!({ "problems": problems })),
            AppError::File(f) => crate::uploads::file_error(f),
            AppError::Store(s) => s.into(),
            AppError::Disposal(
                d @ mingjing_domain::disposal::DisposalError::IllegalStep { .. },
            ) => ApiError::with(ErrorCode::IllegalTransition, d.to_string()),
            AppError::Disposal(d) => ApiError::with(ErrorCode::InvalidRequest, d.to_string()),
            AppError::NotResponsible(m) => ApiError::with(ErrorCode::NotResponsibleUnit, m),
            AppError::NotPermitted(m) => ApiError::with(ErrorCode::Forbidden, m),
            AppError::Invalid(m) => ApiError::with(ErrorCode::InvalidRequest, m),
            AppError::NotFound(m) => ApiError::with(ErrorCode::NotFound, m),
            e @ AppError::Render(_) if e.is_missing_glyphs() => {
                ApiError::with(ErrorCode::GlyphsMissing, e.to_string())
            }
            AppError::SignIn(r) => sign_in_refused(r),
            AppError::FileTypeRefused(m) => ApiError::with(ErrorCode::FileTypeRefused, m),
            AppError::WeakPassword(m) => ApiError::with(ErrorCode::WeakPassword, m),
            AppError::InvalidPolicy(m) => ApiError::with(ErrorCode::InvalidPolicy, m),
            AppError::SessionExpired => ErrorCode::SessionExpired.into(),
            AppError::TimedOut { seconds, .. } => ApiError::with(
                ErrorCode::TimedOut,
                format!(
                    "试运行超过 {seconds} 秒的时间限制，已停止，未保存任何结果；请缩小模型的范围后再试"
                ),
            ),
            AppError::PersonsRejected(checks) => ApiError::new(ErrorCode::PersonsRejected)
                .details(serde_json::json!({ "persons": checks })),
            e @ (AppError::NotInitialised(_)
            | AppError::NotProtected { .. }
            | AppError::Config { .. }
            | AppError::Engine(_)
            | AppError::Workbook(_)
            | AppError::Render(_)) => internal(&e),
        }
    }
}

fn sign_in_refused(r: SignInRefusal) -> ApiError {
    match r {
        SignInRefusal::BadCredentials { threshold, minutes } => ApiError::with(
            ErrorCode::BadCredentials,
            format!("用户名或密码错误（连续失败 {threshold} 次将锁定 {minutes} 分钟）"),
        ),
        SignInRefusal::Throttled { retry_after_secs } => {
            let mut e = ApiError::with(
                ErrorCode::TooManyRequests,
                format!("尝试过于频繁，请 {retry_after_secs} 秒后再试"),
            );
            e.retry_after = Some(retry_after_secs);
            e
        }
        SignInRefusal::TotpRequired => ErrorCode::TotpRequired.into(),
        SignInRefusal::BadTotp => ErrorCode::BadTotp.into(),
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// axum's extractors refuse a malformed body, query or path with plain text; the API answers
/// every error in its own shape (`invalid_request`, or `file_too_large` for an oversized body),
/// with the extractor's reason as the message.
pub async fn rejections_as_errors(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let res = next.run(req).await;
    let status = res.status();
    let is_json = res
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !status.is_client_error() || is_json || status == StatusCode::SWITCHING_PROTOCOLS {
        return res;
    }
    let reason = axum::body::to_bytes(res.into_body(), 4096)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_string())
        .unwrap_or_default();
    let code = match status {
        StatusCode::PAYLOAD_TOO_LARGE => ErrorCode::FileTooLarge,
        StatusCode::NOT_FOUND => ErrorCode::NotFound,
        StatusCode::METHOD_NOT_ALLOWED => ErrorCode::MethodNotAllowed,
        _ => ErrorCode::InvalidRequest,
    };
    if reason.is_empty() {
        ApiError::new(code).into_response()
    } else {
        ApiError::with(code, format!("{}：{reason}", code.message())).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_snake_case_and_statuses_are_errors() {
        let mut seen = std::collections::HashSet::new();
        for c in ErrorCode::ALL {
            assert!(seen.insert(c.code()), "duplicate code {}", c.code());
            assert!(
                c.code()
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'_')
            );
            assert!(c.status().is_client_error() || c.status().is_server_error());
            assert!(!c.message().is_empty());
        }
    }
}
