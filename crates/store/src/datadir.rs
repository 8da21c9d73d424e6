//! The data directory: where uploads' Parquet files live, and how they arrive atomically.
//!
//! Layout:
//! ```text
//! DIR/mingjing.db            metadata (the embedded SQLite backend)
//! DIR/staging/<uuid>/        an upload being written; never read, removed on recovery
//! DIR/staging/<uuid>.lock    held (flock) by the importing process until it has committed
//! DIR/uploads/<uuid>/part-NNNN.parquet   a committed upload's slices
//! DIR/spill/                 the query engine's temporary files
//! DIR/files.lock             shared (flock) by readers of files by path, exclusive for a rewrite
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
///
/// While this value lives, the process holds an exclusive lock on `staging/<name>.lock`:
/// recovery in another process leaves the folder alone, in `staging/` and, once published,
/// in `uploads/` until its metadata has committed. Dropping it releases and removes the lock.
#[derive(Debug)]
pub struct Staged {
    pub name: String,
    pub path: PathBuf,
    lock: Option<(fs::File, PathBuf)>,
}

impl Drop for Staged {
    fn drop(&mut self) {
        if let Some((file, path)) = self.lock.take() {
            let _ = fs::remove_file(&path);
            drop(file);
        }
    }
}

/// A lock on `DIR/files.lock`, released when dropped: see [`DataDir::lock_files`].
#[derive(Debug)]
pub struct FilesLock {
    _file: fs::File,
}

impl DataDir {
    /// Locks the files of the directory against being swapped under a reader. Readers that
    /// open a file by path more than once (the engine opens a Parquet file again for every
    /// range it reads), or that must see a file with its recorded digest (backups, checks),
    /// hold it shared, in any number and any process; the one rewrite in place, a data key's
    /// resealing, holds it exclusive for one file at a time. Blocks until granted.
    pub fn lock_files(&self, exclusive: bool) -> io::Result<FilesLock> {
        let file = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(self.root.join("files.lock"))?;
        if exclusive {
            file.lock()?;
        } else {
            file.lock_shared()?;
        }
        Ok(FilesLock { _file: file })
    }

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

    /// Where the query engine spills (its own temporary files, removed by itself).
    pub fn spill_dir(&self) -> io::Result<PathBuf> {
        let p = self.root.join("spill");
        fs::create_dir_all(&p)?;
        Ok(p)
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

    /// A new, empty staging folder, locked for this process (the lock first, then the folder).
    pub fn stage(&self) -> io::Result<Staged> {
        let name = uuid::Uuid::now_v7().simple().to_string();
        let lock_path = self.lock_path(&name);
        let file = fs::File::create_new(&lock_path)?;
        file.lock()?;
        let path = self.root.join("staging").join(&name);
        fs::create_dir(&path)?;
        Ok(Staged {
            name,
            path,
            lock: Some((file, lock_path)),
        })
    }

    fn lock_path(&self, name: &str) -> PathBuf {
        self.root.join("staging").join(format!("{name}.lock"))
    }

    /// True when a live process holds the upload's lock (it is being written or registered).
    pub fn in_use(&self, name: &str) -> bool {
        match fs::File::open(self.lock_path(name)) {
            Ok(f) => match f.try_lock() {
                Ok(()) => false,
                Err(fs::TryLockError::WouldBlock) => true,
                Err(fs::TryLockError::Error(_)) => true,
            },
            Err(_) => false,
        }
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
        fs::remove_dir_all(&staged.path)
    }

    /// Removes a published folder whose registration failed.
    pub fn unpublish(&self, name: &str) -> io::Result<()> {
        let p = self.upload_dir(name);
        if p.exists() {
            fs::remove_dir_all(p)?;
        }
        sync_dir(&self.root.join("uploads"))
    }

    /// Removes everything a crash can leave behind: staging folders and upload folders that no
    /// committed upload names — except those a live process is still writing or registering
    /// (it holds their lock). Returns the names removed.
    pub fn recover(&self, registered: &HashSet<String>) -> io::Result<Vec<String>> {
        let mut removed = Vec::new();
        for entry in fs::read_dir(self.root.join("staging"))? {
            let entry = entry?;
            let file_name = entry.file_name().to_string_lossy().into_owned();
            let name = file_name
                .strip_suffix(".lock")
                .unwrap_or(&file_name)
                .to_string();
            if self.in_use(&name) {
                continue;
            }
            let path = entry.path();
            let result = if path.is_dir() {
                fs::remove_dir_all(&path)
            } else {
                fs::remove_file(&path)
            };
            match result {
                Ok(()) => removed.push(format!("staging/{file_name}")),
                // Another process's recovery got there first.
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
        for name in self.upload_dirs()? {
            if !registered.contains(&name) && !self.in_use(&name) {
                match fs::remove_dir_all(self.upload_dir(&name)) {
                    Ok(()) => removed.push(format!("uploads/{name}")),
                    Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(removed)
    }

    /// Entries of `staging/` that no live process holds (what recovery would remove).
    pub fn abandoned_staging(&self) -> io::Result<Vec<String>> {
        let mut out = Vec::new();
        for entry in fs::read_dir(self.root.join("staging"))? {
            let file_name = entry?.file_name().to_string_lossy().into_owned();
            let name = file_name.strip_suffix(".lock").unwrap_or(&file_name);
            if !self.in_use(name) {
                out.push(file_name);
            }
        }
        Ok(out)
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
