//! Zip containers (DOCX, XLSX, ODS) read with caps on entry size and compression ratio.

use std::io::{Cursor, Read};
use std::path::Path;

use zip::ZipArchive;

use crate::limits::{MAX_ZIP_ENTRY_SIZE, MAX_ZIP_RATIO, ZIP_RATIO_FLOOR, exceeded};
use crate::{Error, Format, Result};

pub(crate) struct Archive<'a> {
    zip: ZipArchive<Cursor<&'a [u8]>>,
    names: Vec<String>,
    path: &'a Path,
    format: Format,
}

impl<'a> Archive<'a> {
    pub(crate) fn open(path: &'a Path, bytes: &'a [u8], format: Format) -> Result<Archive<'a>> {
        let zip = ZipArchive::new(Cursor::new(bytes)).map_err(|e| Error::Corrupt {
            path: path.to_path_buf(),
            format,
            detail: format!("zip container: {e}"),
        })?;
        let names = zip
            .file_names()
            .filter_map(|n| n.ok())
            .map(|n| n.into_owned())
            .collect();
        Ok(Archive {
            zip,
            names,
            path,
            format,
        })
    }

    /// Every entry name.
    pub(crate) fn names(&self) -> &[String] {
        &self.names
    }

    /// The stored name matching `name`, ignoring ASCII case and a leading slash.
    pub(crate) fn find(&self, name: &str) -> Option<String> {
        let name = name.trim_start_matches('/');
        self.names
            .iter()
            .find(|n| n.as_str() == name)
            .or_else(|| self.names.iter().find(|n| n.eq_ignore_ascii_case(name)))
            .cloned()
    }

    /// Fails if any entry declares a size or ratio over the caps; for readers that open the
    /// container themselves.
    pub(crate) fn check_all(&mut self) -> Result<()> {
        for index in 0..self.zip.len() {
            let Ok(file) = self.zip.by_index_raw(index) else {
                continue;
            };
            let name = file.name().map(|n| n.into_owned()).unwrap_or_default();
            check_sizes(self.path, &name, file.size(), file.compressed_size())?;
        }
        Ok(())
    }

    /// The entry's bytes, `None` when absent.
    pub(crate) fn read(&mut self, name: &str) -> Result<Option<Vec<u8>>> {
        let Some(stored) = self.find(name) else {
            return Ok(None);
        };
        let (path, format) = (self.path, self.format);
        let corrupt = |detail: String| Error::Corrupt {
            path: path.to_path_buf(),
            format,
            detail: format!("zip entry {stored}: {detail}"),
        };
        let file = self
            .zip
            .by_name(&stored)
            .map_err(|e| corrupt(e.to_string()))?;
        check_sizes(path, &stored, file.size(), file.compressed_size())?;
        let compressed = file.compressed_size();
        let mut bytes = Vec::new();
        file.take(MAX_ZIP_ENTRY_SIZE + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| corrupt(e.to_string()))?;
        // The header may lie about the size; the bytes read may not.
        check_sizes(path, &stored, bytes.len() as u64, compressed)?;
        Ok(Some(bytes))
    }
}

fn check_sizes(path: &Path, name: &str, size: u64, compressed: u64) -> Result<()> {
    if size > MAX_ZIP_ENTRY_SIZE {
        return Err(exceeded(
            path,
            format!(
                "zip entry {name} decompresses to {size} bytes, over the maximum of {MAX_ZIP_ENTRY_SIZE}"
            ),
        ));
    }
    if size > ZIP_RATIO_FLOOR && size / compressed.max(1) > MAX_ZIP_RATIO {
        return Err(exceeded(
            path,
            format!(
                "zip entry {name} compression ratio {}:1 is over the maximum of {MAX_ZIP_RATIO}:1",
                size / compressed.max(1)
            ),
        ));
    }
    Ok(())
}
