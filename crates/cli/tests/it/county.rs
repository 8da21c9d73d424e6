//! The generated county: every file imports cleanly through the CLI, on both backends.

use crate::support::*;

fn import_county(backend: Backend) {
    let gen_dir = tempfile::tempdir().unwrap();
    let county = gen_dir.path().join("county");
    generate(&county, "11");
    let entries = manifest(&county);
    assert!(entries.len() > 19, "every type and month has files");
    let p = TestPlatform::new(backend);
    let mut added = 0u64;
    for e in &entries {
        let period = (!e.period.is_empty()).then_some(e.period.as_str());
        let out = p.import(&e.ty, &e.org, period, &county.join(&e.file));
        assert!(out.status.success(), "{}: {}", e.file, stderr(&out));
        let text = stdout(&out);
        let n: u64 = text
            .split("added ")
            .nth(1)
            .and_then(|s| s.split(' ').next())
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("{text}"));
        added += n;
    }
    assert!(added > 50_000, "only {added} rows");
    assert_eq!(count_uploads(&p), entries.len());
    let check = p.check();
    assert!(check.status.success(), "{}", stderr(&check));

    // Loading the same file again changes nothing.
    let first = &entries[0];
    let period = (!first.period.is_empty()).then_some(first.period.as_str());
    let again = p.import(&first.ty, &first.org, period, &county.join(&first.file));
    assert!(again.status.success());
    assert!(
        stdout(&again).contains("already loaded"),
        "{}",
        stdout(&again)
    );
    assert_eq!(count_uploads(&p), entries.len());

    // A new snapshot from the same organisation replaces the old one, and says so.
    let persons = entries.iter().find(|e| e.ty == "persons").unwrap();
    let text = std::fs::read_to_string(county.join(&persons.file)).unwrap();
    let fewer: String = text.lines().take(101).map(|l| format!("{l}\n")).collect();
    let smaller = gen_dir.path().join("persons_fewer.csv");
    std::fs::write(&smaller, fewer).unwrap();
    let out = p.import("persons", &persons.org, None, &smaller);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("added 100 rows"), "{}", stdout(&out));
    assert!(stdout(&out).contains("replaced 20"), "{}", stdout(&out));
}

#[test]
fn generated_county_imports_cleanly_on_sqlite() {
    import_county(Backend::Sqlite);
}

#[test]
fn generated_county_imports_cleanly_on_postgres() {
    import_county(Backend::Postgres);
}

#[test]
fn generation_is_deterministic() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    generate(&a.path().join("c"), "5");
    generate(&b.path().join("c"), "5");
    for e in std::fs::read_dir(a.path().join("c")).unwrap() {
        let name = e.unwrap().file_name();
        let name = name.to_str().unwrap();
        // Workbooks carry their creation time; every CSV must be identical.
        if name.ends_with(".csv") {
            let x = std::fs::read(a.path().join("c").join(name)).unwrap();
            let y = std::fs::read(b.path().join("c").join(name)).unwrap();
            assert!(x == y, "{name} differs between two runs with one seed");
        }
    }
    let truth = std::fs::read_to_string(a.path().join("c/ground_truth.csv")).unwrap();
    let models: std::collections::BTreeSet<&str> = truth
        .lines()
        .skip(2)
        .filter_map(|l| l.split(',').next())
        .collect();
    assert_eq!(
        models.len(),
        24,
        "every model has alerts in the ground truth"
    );
}

#[test]
fn administrators_define_new_types_that_import_like_built_in_ones() {
    let p = TestPlatform::new(Backend::Sqlite);
    let dir = tempfile::tempdir().unwrap();
    let def = dir.path().join("land.toml");
    std::fs::write(
        &def,
        r#"label = "耕地地力保护补贴"
owner = "农业农村局"
key = ["id_number", "year"]
fields = [
  { key = "id_number", label = "公民身份号码", type = "id18", required = true },
  { key = "year", label = "年度", type = "int", required = true },
  { key = "area", label = "面积（亩）", type = "decimal", required = true },
  { key = "amount", label = "补贴金额", type = "money", required = true },
]"#,
    )
    .unwrap();
    let out = p.run(&[
        "define-type",
        "--data-dir",
        p.data_dir_str(),
        "--name",
        "land_subsidy",
        def.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let types = stdout(&p.run(&["types", "--data-dir", p.data_dir_str()]));
    assert!(
        types
            .lines()
            .any(|l| l.starts_with("land_subsidy\t耕地地力保护补贴")),
        "{types}"
    );
    assert_eq!(types.lines().count(), 20);

    let good = dir.path().join("land.csv");
    std::fs::write(
        &good,
        "公民身份号码,年度,面积(亩),补贴金额\n11010519491231002X,2026,3.5,420.00\n",
    )
    .unwrap();
    let out = p.import("land_subsidy", "农业农村局", None, &good);
    assert!(out.status.success(), "{}", stderr(&out));
    let bad = dir.path().join("land_bad.csv");
    std::fs::write(
        &bad,
        "公民身份号码,年度,面积(亩),补贴金额\n11010519491231002X,二〇二六,3.5,420.00\n",
    )
    .unwrap();
    let out = p.import("land_subsidy", "农业农村局", None, &bad);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("row 2, column 年度: is not a whole number"),
        "{}",
        stderr(&out)
    );

    // A definition that does not hold together is refused, naming what is wrong.
    std::fs::write(&def, "label = \"x\"\nkey = [\"nope\"]\nfields = [{ key = \"a\", label = \"A\", type = \"text\", required = true }]\n").unwrap();
    let out = p.run(&[
        "define-type",
        "--data-dir",
        p.data_dir_str(),
        "--name",
        "broken",
        def.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("unknown field 'nope'"),
        "{}",
        stderr(&out)
    );
    // Built-in types cannot be redefined.
    std::fs::write(&def, "label = \"x\"\nkey = [\"a\"]\nfields = [{ key = \"a\", label = \"A\", type = \"text\", required = true }]\n").unwrap();
    let out = p.run(&[
        "define-type",
        "--data-dir",
        p.data_dir_str(),
        "--name",
        "persons",
        def.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("built-in standard"),
        "{}",
        stderr(&out)
    );
}

/// docs/decisions.md #5: a file is "already loaded" only while it is wholly current; loading a
/// replaced file again is a correction and lands.
#[test]
fn reloading_a_replaced_file_restores_it() {
    let p = TestPlatform::new(Backend::Sqlite);
    let dir = tempfile::tempdir().unwrap();
    let head = "公民身份号码,姓名,死亡日期,数据来源\n";
    let a = dir.path().join("a.csv");
    let b = dir.path().join("b.csv");
    std::fs::write(
        &a,
        format!("{head}11010519491231002X,甲,2025-01-02,火化记录\n"),
    )
    .unwrap();
    std::fs::write(
        &b,
        format!("{head}11010519491231002X,甲,2025-01-03,火化记录\n"),
    )
    .unwrap();
    for (file, want) in [
        (&a, "added 1 rows"),
        (&a, "already loaded"),
        (&b, "replaced 1 rows"),
        (&a, "replaced 1 rows"),
    ] {
        let out = p.import("deaths", "民政局", None, file);
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(stdout(&out).contains(want), "{want}: {}", stdout(&out));
    }
    assert_eq!(count_uploads(&p), 3);
}
