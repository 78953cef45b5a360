//! A board's memory: a file mapped shared, laid out by `tdm_abi`, that a driver maps too.
//! The only `unsafe` of the simulator is here.

use std::fs::OpenOptions;
use std::io;
use std::path::Path;
use std::sync::atomic::Ordering;

use memmap2::MmapMut;
use tdm_abi::{BoardView, Geometry, LayoutError, board_flags};

/// Why a board's memory could not be set up.
#[derive(Debug)]
pub(crate) enum MemoryError {
    Io(io::Error),
    Layout(LayoutError),
}

pub(crate) struct BoardMemory {
    // Declared before the mapping: the view points into it.
    view: BoardView,
    _map: MmapMut,
}

impl BoardMemory {
    /// Creates (or truncates) the file, maps it and lays out a fresh board marked running.
    pub(crate) fn create(path: &Path, geometry: Geometry, name: &str) -> Result<Self, MemoryError> {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(path)
            .map_err(MemoryError::Io)?;
        file.set_len(geometry.size() as u64).map_err(MemoryError::Io)?;
        // SAFETY: the file was just created at its full size by us. A driver maps it too,
        // but reaches it only through the ABI's atomics and ring protocol (the premise of
        // `BoardView`); nobody truncates it while the simulator runs.
        let mut map = unsafe { MmapMut::map_mut(&file) }.map_err(MemoryError::Io)?;
        // SAFETY: the mapping is `map.len()` octets, page aligned, and lives in `self`
        // beside the view, so it outlives every use of the view; nobody else uses it
        // before the magic is written.
        let view = unsafe { BoardView::format(map.as_mut_ptr(), map.len(), geometry, name) }
            .map_err(MemoryError::Layout)?;
        view.header().board_flags.fetch_or(board_flags::RUNNING, Ordering::Release);
        Ok(BoardMemory { view, _map: map })
    }

    pub(crate) fn view(&self) -> &BoardView {
        &self.view
    }
}

impl Drop for BoardMemory {
    fn drop(&mut self) {
        self.view.header().board_flags.fetch_and(!board_flags::RUNNING, Ordering::Release);
    }
}
