//! No plaintext of customer data reaches the store's files: after loading
//! 100,000 records carrying a marker, neither the marker nor any record's
//! content occurs in the database or its WAL.

use crate::support;

use serde_json::json;
use support::TestStore;

const DEFAULT_ENV: &str = "Default-aaaabbbb-0000-cccc-1111-dddd2222eeee";

#[test]
fn one_hundred_thousand_records_leave_no_plaintext_in_the_files() {
    let t = TestStore::new();
    let marker = "PPCMK-MARKER-3f9a1c77-never-on-disk";
    t.ok(
        "New-PpCmkSampleData",
        json!({"EnvironmentName": DEFAULT_ENV, "Records": 100_000, "RecordSize": 160, "Tables": 2, "Marker": marker}),
    );
    t.ok("New-PpCmkRecord", json!({"EnvironmentName": DEFAULT_ENV, "Table": "contact", "Id": "c1", "Data": {"name": "Adele Vance", "ssn": "078-05-1120"}}));
    let samples = t.ok("Get-PpCmkRecord", json!({"EnvironmentName": DEFAULT_ENV, "Table": "sample_1", "First": 20}));
    assert_eq!(samples.len(), 20);
    assert_eq!(samples[0]["Data"]["marker"], marker, "the records do carry the marker");

    let bytes = support::store_file_bytes(&t.home());
    assert!(bytes.len() > 10_000_000, "the data is in the files");
    let found = |needle: &str| support::contains(&bytes, needle.as_bytes());
    assert!(!found(marker), "the marker is in the store's files");
    assert!(!found("078-05-1120") && !found("Adele Vance"), "a record's value is in the store's files");
    for s in &samples {
        let payload = s["Data"]["payload"].as_str().unwrap();
        assert!(payload.len() >= 24);
        assert!(!found(&payload[..24]), "a record's payload is in the store's files");
        assert!(!found(s["Data"]["name"].as_str().unwrap()), "a record's name is in the store's files");
    }
}
