//! Legacy Word files (.doc, Word 97-2003): LibreOffice converts them to DOCX, which the DOCX
//! reader reads. Without LibreOffice they are refused with a message that says so.

use std::path::Path;
use std::process::Command;

use crate::limits::{Budget, MAX_CONVERT_TIME};
use crate::tools::run;
use crate::{Document, Error, Extractor, Format, Result};

pub(crate) fn read(path: &Path, bytes: &[u8], extractor: &Extractor) -> Result<Document> {
    let Some(soffice) = &extractor.tools.soffice else {
        return Err(Error::Unsupported {
            path: path.to_path_buf(),
            detected: "legacy Word document (.doc); reading it needs LibreOffice (soffice), \
                       which is not installed"
                .into(),
        });
    };
    let failed = |detail: String| Error::Corrupt {
        path: path.to_path_buf(),
        format: Format::Doc,
        detail,
    };
    let dir = tempfile::tempdir().map_err(|e| failed(format!("no temporary folder: {e}")))?;
    let input = dir.path().join("submission.doc");
    std::fs::write(&input, bytes).map_err(|e| failed(format!("cannot write a copy: {e}")))?;
    let out = dir.path().join("out");
    // A profile of its own: LibreOffice refuses to start a second instance on a shared one.
    let profile = dir.path().join("profile");
    let mut command = Command::new(soffice);
    command
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.to_string_lossy()
        ))
        .args([
            "--headless",
            "--norestore",
            "--nologo",
            "--convert-to",
            "docx",
            "--outdir",
        ])
        .arg(&out)
        .arg(&input);
    run(command, MAX_CONVERT_TIME)
        .map_err(|e| failed(format!("LibreOffice could not convert it: {e}")))?;
    let converted = std::fs::read(out.join("submission.docx")).map_err(|_| {
        failed(
            "LibreOffice could not convert it (no output; the file may be damaged or encrypted)"
                .into(),
        )
    })?;
    // The conversion has its own limit; the budget is for reading.
    let budget = Budget::new(extractor.time_budget);
    let mut document = crate::docx::read(path, &converted, &budget)?;
    document.format = Format::Doc;
    Ok(document)
}
