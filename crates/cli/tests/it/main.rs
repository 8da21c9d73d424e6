//! Integration tests: the `mingjing` binary and the storage backends, for real (SQLite files,
//! a PostgreSQL server on 127.0.0.1:5432, real processes killed mid-import).

mod audit;
mod backup;
mod chat;
mod county;
mod crash;
mod data;
mod disposal;
mod documents;
mod fuzz;
mod hostile;
mod keys;
mod library;
mod lifecycle;
mod lists;
mod livelihood;
mod malformed;
mod masking;
mod models;
mod opinions;
mod persons;
mod rotation;
mod separation;
mod server;
mod support;
mod tidy;
mod triage;
