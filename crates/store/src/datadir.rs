//! The data directory: where uploads' Parquet files live, and how they arrive atomically.
//!
//! Layout:
//! ```text
//! DIR/mingjing.db            metadata (the embedded SQLite backend)
//! DIR/staging/<uuid>/        an upload being written; never read, removed on recovery
//! DIR/uploads/<uuid>/part-NNNN.parquet   a committed upload's slices
//! ```
//! An upload's folder is moved from `staging/` to `uploads/` only after its files are durable,
//! and it exists for readers only once the metadata transaction that names it has committed.
//! A crash at any point leaves either the whole upload or an unregistered folder, which
//! [`DataDir::recover`] removes.

use std::collections::HashSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub struct DataDir {
    root: PathBuf,
}

/// A folder in `staging/` that an upload is being written into.
#[derive(Debug)]
pub struct Staged {
    pub name: String,
    pub path: PathBuf,
}

impl DataDir {
    /// Opens (creating if needed) a data directory.
    pub fn open(root: impl Into<PathBuf>) -> io::Result<Self> {
        let root = root.into();
        fs::create_dir_all(root.join("staging"))?;
        fs::create_dir_all(root.join("uploads"))?;
        Ok(DataDir { root })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The embedded metadata database's file.
    pub fn sqlite_path(&self) -> PathBuf {
        self.root.join("mingjing.db")
    }

    pub fn upload_dir(&self, name: &str) -> PathBuf {
        self.root.join("uploads").join(name)
    }

    /// The absolute path of one slice file of a committed upload.
    pub fn slice_path(&self, upload_dir: &str, file: &str) -> PathBuf {
        self.upload_dir(upload_dir).join(file)
    }

    /// A new, empty staging folder.
    pub fn stage(&self) -> io::Result<Staged> {
        let name = uuid::Uuid::now_v7().simple().to_string();
        let path = self.root.join("staging").join(&name);
        fs::create_dir(&path)?;
        Ok(Staged { name, path })
    }

    /// Makes a staged folder durable and moves it under `uploads/`. The caller then registers
    /// it in one metadata transaction.
    pub fn publish(&self, staged: &Staged) -> io::Result<PathBuf> {
        sync_dir(&staged.path)?;
        let dest = self.upload_dir(&staged.name);
        fs::rename(&staged.path, &dest)?;
        sync_dir(&self.root.join("uploads"))?;
        sync_dir(&self.root.join("staging"))?;
        Ok(dest)
    }

    /// Removes a staged folder that will not be published.
    pub fn discard(&self, staged: Staged) -> io::Result<()> {
        fs::remove_dir_all(staged.path)
    }

    /// Removes a published folder whose registration failed.
    pub fn unpublish(&self, name: &str) -> io::Result<()> {
        let p = self.upload_dir(name);
        if p.exists() {
            fs::remove_dir_all(p)?;
        }
        sync_dir(&self.root.join("uploads"))
    }

    /// Removes everything a crash can leave behind: staging folders, and upload folders that
    /// no committed upload names. Returns the names removed.
    pub fn recover(&self, registered: &HashSet<String>) -> io::Result<Vec<String>> {
        let mut removed = Vec::new();
        for entry in fs::read_dir(self.root.join("staging"))? {
            let entry = entry?;
            fs::remove_dir_all(entry.path())?;
            removed.push(format!("staging/{}", entry.file_name().to_string_lossy()));
        }
        for name in self.upload_dirs()? {
            if !registered.contains(&name) {
                fs::remove_dir_all(self.upload_dir(&name))?;
                removed.push(format!("uploads/{name}"));
            }
        }
        Ok(removed)
    }

    /// Names of the folders under `uploads/`.
    pub fn upload_dirs(&self) -> io::Result<Vec<String>> {
        let mut out = Vec::new();
        for entry in fs::read_dir(self.root.join("uploads"))? {
            out.push(entry?.file_name().to_string_lossy().into_owned());
        }
        out.sort();
        Ok(out)
    }
}

fn sync_dir(path: &Path) -> io::Result<()> {
    fs::File::open(path)?.sync_all()
}
