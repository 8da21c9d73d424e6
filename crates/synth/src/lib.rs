//! A synthetic county (work in progress in this commit).
use mingjing_domain::Month;
use std::path::Path;
pub struct Spec {
    pub seed: u64,
    pub persons: u32,
    pub months: u32,
    pub last_month: Month,
}
pub fn generate(_spec: &Spec, _out: &Path) -> Result<String, std::io::Error> {
    Err(std::io::Error::other("the generator is not built yet"))
}
