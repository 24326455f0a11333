"""Voice messages: which audio a file really is and how long it lasts, from its bytes (`mutagen` for MP4/AAC,
MP3, Ogg and WAV; a small EBML walk for WebM, which mutagen does not read and whose MediaRecorder files carry no
duration in their header). Used by `attachments.service.detect_type` and `stage`."""

import struct
from pathlib import Path

from mutagen import MutagenError
from mutagen.aac import AAC
from mutagen.mp3 import MP3
from mutagen.mp4 import MP4
from mutagen.oggopus import OggOpus
from mutagen.oggvorbis import OggVorbis
from mutagen.wave import WAVE

# Detected type → (label, extensions; the first is the one a stored file gets).
AUDIO_TYPES: dict[str, tuple[str, tuple[str, ...]]] = {
    "audio/mp4": ("M4A", (".m4a", ".mp4", ".aac")),
    "audio/aac": ("AAC", (".aac",)),
    "audio/mpeg": ("MP3", (".mp3",)),
    "audio/ogg": ("OGG", (".ogg", ".opus", ".oga")),
    "audio/webm": ("WebM", (".webm", ".weba")),
    "audio/wav": ("WAV", (".wav",)),
}
ACCEPT = "audio/*,.m4a,.aac,.mp3,.ogg,.opus,.webm,.wav"


class NotAudio(Exception):
    """The bytes claim to be audio of a kind we read, but are not (or not only: a video track)."""


def sniff(head: bytes) -> str | None:
    """A candidate audio type from the first bytes, or None when they look like no audio we take."""
    if head[:4] == b"OggS":
        return "audio/ogg"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio/wav"
    if head[4:8] == b"ftyp":
        return "audio/mp4"
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "audio/webm"
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xF6 == 0xF0:  # ADTS (AAC), layer bits 00
        return "audio/aac"
    if head[:3] == b"ID3" or (len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return "audio/mpeg"
    return None


def duration(path: Path, content_type: str) -> float:
    """Seconds of audio; raises NotAudio when the file does not read as that kind of audio."""
    try:
        if content_type == "audio/webm":
            return _webm_duration(path)
        if content_type == "audio/ogg":
            try:
                info = OggOpus(path).info
            except MutagenError:
                info = OggVorbis(path).info
        elif content_type == "audio/mp4":
            audio = MP4(path)
            if not str(getattr(audio.info, "codec", "")).startswith(("mp4a", "alac", "ac-3", "ec-3", "opus")):
                raise NotAudio(content_type)
            info = audio.info
        else:
            reader = {"audio/wav": WAVE, "audio/aac": AAC, "audio/mpeg": MP3}[content_type]
            info = reader(path).info
    except (MutagenError, OSError, ValueError, struct.error, IndexError, KeyError, EOFError):
        raise NotAudio(content_type) from None
    length = float(getattr(info, "length", 0) or 0)
    if not length > 0:
        raise NotAudio(content_type)
    return length


# ------------------------------------------------------------------ WebM (Matroska) without a library

_MASTERS = {0x18538067, 0x1549A966, 0x1654AE6B, 0xAE, 0x1F43B675, 0xA0}  # Segment Info Tracks TrackEntry Cluster
_EBML, _DOCTYPE, _SCALE, _DURATION = 0x1A45DFA3, 0x4282, 0x2AD7B1, 0x4489
_TRACK_TYPE, _TIMECODE, _SIMPLE_BLOCK, _BLOCK = 0x83, 0xE7, 0xA3, 0xA1
_MAX_ELEMENTS = 2_000_000


def _vint(data: bytes, pos: int, *, keep_marker: bool) -> tuple[int, int, bool]:
    """(value, new position, unknown size) of an EBML variable-length integer."""
    first = data[pos]
    length = 1
    while length <= 8 and not first & (0x80 >> (length - 1)):
        length += 1
    if length > 8 or pos + length > len(data):
        raise ValueError("bad EBML integer")
    value = first if keep_marker else first & (0xFF >> length)
    for b in data[pos + 1:pos + length]:
        value = (value << 8) | b
    unknown = not keep_marker and value == (1 << (7 * length)) - 1
    return value, pos + length, unknown


def _webm_duration(path: Path) -> float:
    data = path.read_bytes()
    pos, doc_type, scale, declared, cluster, latest = 0, b"", 1_000_000, 0.0, 0, 0
    audio_tracks = other_tracks = 0
    element_id, pos, _ = _vint(data, 0, keep_marker=True)
    if element_id != _EBML:
        raise ValueError("not EBML")
    size, pos, _ = _vint(data, pos, keep_marker=False)
    header_end = pos + size
    while pos < header_end:
        element_id, pos, _ = _vint(data, pos, keep_marker=True)
        size, pos, _ = _vint(data, pos, keep_marker=False)
        if element_id == _DOCTYPE:
            doc_type = data[pos:pos + size]
        pos += size
    if doc_type != b"webm":
        raise ValueError("not WebM")
    for _ in range(_MAX_ELEMENTS):
        if pos >= len(data):
            break
        element_id, pos, _ = _vint(data, pos, keep_marker=True)
        size, pos, unknown = _vint(data, pos, keep_marker=False)
        if element_id in _MASTERS:
            continue  # read its children in line (an unknown size, as MediaRecorder writes, needs no end)
        if unknown:
            raise ValueError("unknown size on a leaf")
        body = data[pos:pos + size]
        if element_id == _SCALE:
            scale = int.from_bytes(body, "big") or scale
        elif element_id == _DURATION:
            declared = struct.unpack(">f" if size == 4 else ">d", body)[0]
        elif element_id == _TRACK_TYPE:
            if int.from_bytes(body, "big") == 2:
                audio_tracks += 1
            else:
                other_tracks += 1
        elif element_id == _TIMECODE:
            cluster = int.from_bytes(body, "big")
        elif element_id in (_SIMPLE_BLOCK, _BLOCK) and body:
            _track, offset, _ = _vint(body, 0, keep_marker=False)
            latest = max(latest, cluster + struct.unpack(">h", body[offset:offset + 2])[0])
        pos += size
    if audio_tracks == 0 or other_tracks:
        raise ValueError("no audio track, or a video track")
    return max(declared, latest) * scale / 1e9
