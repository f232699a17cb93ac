// RenderPdf (text_pdf.h): checks the text and the options, asks fontconfig whether the font
// family is really installed, then lays each part out with pango and draws it line by line
// onto a fixed grid of cairo's PDF surface, starting a new page when the grid is full.
#include "libs/pdf/text_pdf.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <pango/pangocairo.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/core/field_violations.h"
#include "libs/core/status_macros.h"
#include "libs/core/string_view_compat.h"
#include "libs/core/text_checks.h"

// LeakSanitizer runs in the asan preset (GCC defines __SANITIZE_ADDRESS__, clang has the
// feature test).
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_LEAK__)
#define JG_PDF_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(leak_sanitizer)
#define JG_PDF_LSAN 1
#endif
#endif
#ifdef JG_PDF_LSAN
#include <sanitizer/lsan_interface.h>
#endif

namespace jianguan::pdf {
namespace {

constexpr double kPointsPerMm = 72.0 / 25.4;
constexpr double kA4WidthPt = 210 * kPointsPerMm;
constexpr double kA4HeightPt = 297 * kPointsPerMm;
/// The first-line indent of body paragraphs and the right inset of closing lines, in
/// characters of the body size.
constexpr double kParagraphIndentChars = 2;
constexpr double kClosingInsetChars = 2;
/// Title lines are spaced at least this many times the title size apart.
constexpr double kTitlePitchFactor = 1.5;

// Owners for the C libraries' objects, so every return path releases them.
struct GObjectUnref {
  void operator()(void* object) const { g_object_unref(object); }
};
template <typename T>
using GObjectPtr = std::unique_ptr<T, GObjectUnref>;
struct CairoSurfaceDestroy {
  void operator()(cairo_surface_t* surface) const { cairo_surface_destroy(surface); }
};
struct CairoDestroy {
  void operator()(cairo_t* cr) const { cairo_destroy(cr); }
};
struct FontDescriptionFree {
  void operator()(PangoFontDescription* desc) const { pango_font_description_free(desc); }
};
struct LayoutIterFree {
  void operator()(PangoLayoutIter* iter) const { pango_layout_iter_free(iter); }
};
struct FcPatternDestroyer {
  void operator()(FcPattern* pattern) const { FcPatternDestroy(pattern); }
};
using FcPatternPtr = std::unique_ptr<FcPattern, FcPatternDestroyer>;

std::string CodePointName(uint32_t code_point) { return absl::StrFormat("U+%04X", code_point); }

/// The code point starting at `text[i]` of well-formed UTF-8 text; advances `i` past it.
uint32_t NextCodePoint(std::string_view text, size_t& i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  size_t length = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
  uint32_t code_point = length == 1 ? lead : lead & (0x7F >> length);
  for (size_t k = 1; k < length; ++k) code_point = (code_point << 6) | (byte(i + k) & 0x3F);
  i += length;
  return code_point;
}

/// Adds a violation when `text` is not UTF-8 or holds a control character other than tab, CR
/// and LF (pango would draw those as boxes).
void CheckDocumentText(FieldViolations& violations, std::string_view field, std::string_view text) {
  if (!IsValidUtf8(text)) {
    violations.Add(field, "is not valid UTF-8");
    return;
  }
  for (size_t i = 0; i < text.size();) {
    const uint32_t c = NextCodePoint(text, i);
    const bool control = c < 0x20 || (c >= 0x7F && c <= 0x9F);
    if (control && c != '\t' && c != '\n' && c != '\r') {
      violations.Add(field, absl::StrCat("holds the control character ", CodePointName(c)));
      return;
    }
  }
}

/// Adds a violation unless `value` lies in [low, high] (false for NaN too).
void CheckRange(FieldViolations& violations, std::string_view field, double value, double low,
                double high) {
  if (!(value >= low && value <= high)) {
    violations.Add(field, absl::StrFormat("must be between %g and %g", low, high));
  }
}

absl::Status Validate(const TextDocument& doc, const PdfOptions& options) {
  FieldViolations violations;
  CheckDocumentText(violations, "title", doc.title);
  CheckDocumentText(violations, "number", doc.number);
  for (size_t i = 0; i < doc.paragraphs.size(); ++i) {
    CheckDocumentText(violations, absl::StrCat("paragraphs[", i, "]"), doc.paragraphs[i]);
  }
  for (size_t i = 0; i < doc.closing.size(); ++i) {
    CheckDocumentText(violations, absl::StrCat("closing[", i, "]"), doc.closing[i]);
  }
  if (options.font_family.empty()) {
    violations.Add("options.font_family", "must not be empty");
  } else {
    CheckDocumentText(violations, "options.font_family", options.font_family);
  }
  CheckRange(violations, "options.body_size_pt", options.body_size_pt, 4, 72);
  CheckRange(violations, "options.title_size_pt", options.title_size_pt, 4, 144);
  CheckRange(violations, "options.line_pitch_pt", options.line_pitch_pt, options.body_size_pt,
             10 * options.body_size_pt);
  CheckRange(violations, "options.margin_top_mm", options.margin_top_mm, 0, 100);
  CheckRange(violations, "options.margin_left_mm", options.margin_left_mm, 0, 80);
  CheckRange(violations, "options.margin_right_mm", options.margin_right_mm, 0, 80);
  CheckRange(violations, "options.margin_bottom_mm", options.margin_bottom_mm, 0, 100);
  if (violations.empty()) {
    // The text area must hold the indent plus a few characters, and a title line.
    const double width =
        kA4WidthPt - (options.margin_left_mm + options.margin_right_mm) * kPointsPerMm;
    const double height =
        kA4HeightPt - (options.margin_top_mm + options.margin_bottom_mm) * kPointsPerMm;
    if (width < (kParagraphIndentChars + kClosingInsetChars + 4) * options.body_size_pt) {
      violations.Add("options.margin_left_mm", "leaves too narrow a text area");
    }
    if (height < std::max(options.line_pitch_pt, kTitlePitchFactor * options.title_size_pt)) {
      violations.Add("options.margin_top_mm", "leaves too low a text area");
    }
  }
  return violations.ToStatus();
}

/// Loads fontconfig's configuration once per process (the first call takes some 10 ms).
///
/// LeakSanitizer is kept from looking at what this one load allocates: fontconfig keeps the
/// <rejectfont> pattern of /etc/fonts/conf.d/70-no-bitmaps.conf in its process-wide FcConfig,
/// but an FcPattern refers to its element array by an offset from itself (elts_offset), not by
/// a pointer, so LeakSanitizer cannot follow it and reports the array (256 bytes, plus a
/// 32-byte value list) as leaked at exit. FcFini() at the very end of the process frees it
/// too, but would have to be called by every binary after its last render, with no other
/// thread using fontconfig. Only the allocations of this one FcInit on this thread are
/// exempt; anything allocated per render stays checked.
bool LoadFontconfig() {
  static const bool loaded = [] {
#ifdef JG_PDF_LSAN
    __lsan::ScopedDisabler not_leaks;
#endif
    return FcInit() == FcTrue;
  }();
  return loaded;
}

/// Whether two family names are equal ignoring ASCII case and blanks, as fontconfig compares
/// them ("WenQuanYi Micro Hei" = "wenquanyi microhei").
bool SameFamily(std::string_view a, std::string_view b) {
  const auto folded = [](std::string_view name) {
    std::string out;
    for (char c : name) {
      if (c != ' ') out += absl::ascii_tolower(static_cast<unsigned char>(c));
    }
    return out;
  };
  return folded(a) == folded(b);
}

/// OK when fontconfig resolves `family` to a font that carries that family name (in any of
/// its languages) and has Chinese glyphs. Without this check a missing family would silently
/// become fontconfig's default, which may have no CJK glyphs at all.
absl::Status CheckFontFamily(const std::string& family) {
  if (!LoadFontconfig()) {
    return absl::FailedPreconditionError("fontconfig cannot load its configuration");
  }
  FcPatternPtr pattern(FcPatternCreate());
  if (pattern == nullptr) return absl::InternalError("fontconfig: cannot create a pattern");
  const auto* name = reinterpret_cast<const FcChar8*>(family.c_str());
  if (!FcPatternAddString(pattern.get(), FC_FAMILY, name) ||
      !FcConfigSubstitute(nullptr, pattern.get(), FcMatchPattern)) {
    return absl::InternalError("fontconfig: cannot build the font pattern");
  }
  FcDefaultSubstitute(pattern.get());
  FcResult result = FcResultNoMatch;
  FcPatternPtr match(FcFontMatch(nullptr, pattern.get(), &result));
  if (match == nullptr) {
    return absl::FailedPreconditionError(
        absl::StrCat("font family \"", family, "\" is not installed (fontconfig finds no font)"));
  }
  std::string substitute;
  bool found = false;
  FcChar8* matched = nullptr;
  for (int i = 0;
       !found && FcPatternGetString(match.get(), FC_FAMILY, i, &matched) == FcResultMatch;
       ++i) {
    if (i == 0) substitute = reinterpret_cast<const char*>(matched);
    found = SameFamily(reinterpret_cast<const char*>(matched), family);
  }
  if (!found) {
    return absl::FailedPreconditionError(
        absl::StrCat("font family \"", family, "\" is not installed (fontconfig would use \"",
                     substitute, "\" instead)"));
  }
  FcCharSet* charset = nullptr;
  if (FcPatternGetCharSet(match.get(), FC_CHARSET, 0, &charset) != FcResultMatch ||
      !FcCharSetHasChar(charset, 0x4E2D /* 中 */)) {
    return absl::FailedPreconditionError(
        absl::StrCat("font family \"", family, "\" has no Chinese glyphs"));
  }
  return absl::OkStatus();
}

/// The first character of `layout` that no font could show (pango marks its glyph with
/// PANGO_GLYPH_UNKNOWN_FLAG | code point), if any.
std::optional<uint32_t> FirstUnknownCharacter(PangoLayout* layout) {
  if (pango_layout_get_unknown_glyphs_count(layout) == 0) return std::nullopt;
  for (GSList* l = pango_layout_get_lines_readonly(layout); l != nullptr; l = l->next) {
    const auto* line = static_cast<const PangoLayoutLine*>(l->data);
    for (GSList* r = line->runs; r != nullptr; r = r->next) {
      const PangoGlyphString* glyphs = static_cast<const PangoLayoutRun*>(r->data)->glyphs;
      for (int g = 0; g < glyphs->num_glyphs; ++g) {
        const PangoGlyph glyph = glyphs->glyphs[g].glyph;
        if (glyph & PANGO_GLYPH_UNKNOWN_FLAG) return glyph & ~PANGO_GLYPH_UNKNOWN_FLAG;
      }
    }
  }
  return std::nullopt;
}

/// How one part of the document (title, number, a paragraph, a closing line) is set.
struct BlockStyle {
  double size_pt;
  double pitch_pt;
  PangoAlignment alignment = PANGO_ALIGN_LEFT;
  bool justify = false;
  double indent_pt = 0;
  double right_inset_pt = 0;
};

/// Draws blocks of text top to bottom onto a line grid, page after page.
class PageWriter {
 public:
  PageWriter(cairo_t* cr, PangoContext* context, const PdfOptions& options)
      : cr_(cr),
        context_(context),
        family_(options.font_family),
        left_(options.margin_left_mm * kPointsPerMm),
        top_(options.margin_top_mm * kPointsPerMm),
        width_(kA4WidthPt - (options.margin_left_mm + options.margin_right_mm) * kPointsPerMm),
        bottom_(kA4HeightPt - options.margin_bottom_mm * kPointsPerMm),
        y_(top_) {}

  /// Lays `text` out in `style` and draws its lines. FAILED_PRECONDITION naming `field` when
  /// some character has no glyph in any installed font.
  absl::Status Block(std::string_view field, const std::string& text, const BlockStyle& style) {
    GObjectPtr<PangoLayout> layout(pango_layout_new(context_));
    std::unique_ptr<PangoFontDescription, FontDescriptionFree> font(pango_font_description_new());
    pango_font_description_set_family(font.get(), family_.c_str());
    pango_font_description_set_absolute_size(font.get(), style.size_pt * PANGO_SCALE);
    pango_layout_set_font_description(layout.get(), font.get());
    pango_layout_set_width(layout.get(), pango_units_from_double(width_ - style.right_inset_pt));
    pango_layout_set_wrap(layout.get(), PANGO_WRAP_WORD_CHAR);
    pango_layout_set_alignment(layout.get(), style.alignment);
    pango_layout_set_justify(layout.get(), style.justify);
    pango_layout_set_indent(layout.get(), pango_units_from_double(style.indent_pt));
    pango_layout_set_text(layout.get(), text.data(), static_cast<int>(text.size()));

    if (std::optional<uint32_t> missing = FirstUnknownCharacter(layout.get())) {
      return absl::FailedPreconditionError(absl::StrCat(AbslView(field), ": no installed font has ",
                                                        CodePointName(*missing)));
    }

    std::unique_ptr<PangoLayoutIter, LayoutIterFree> iter(pango_layout_get_iter(layout.get()));
    do {
      PangoRectangle logical;
      pango_layout_iter_get_line_extents(iter.get(), nullptr, &logical);
      const int baseline_in_layout = pango_layout_iter_get_baseline(iter.get());
      const double ascent = pango_units_to_double(baseline_in_layout - logical.y);
      const double height = pango_units_to_double(logical.height);
      if (!at_page_top_ && y_ + style.pitch_pt > bottom_) NewPage();
      // The line's box is centred vertically in its slot of the grid.
      const double baseline = y_ + (style.pitch_pt - height) / 2 + ascent;
      cairo_move_to(cr_, left_ + pango_units_to_double(logical.x), baseline);
      pango_cairo_show_layout_line(cr_, pango_layout_iter_get_line_readonly(iter.get()));
      y_ += style.pitch_pt;
      at_page_top_ = false;
    } while (pango_layout_iter_next_line(iter.get()));
    return absl::OkStatus();
  }

  /// Leaves one empty slot of `pitch_pt`; nothing at the top of a page.
  void BlankLine(double pitch_pt) {
    if (at_page_top_) return;
    if (y_ + pitch_pt > bottom_) {
      NewPage();
      return;
    }
    y_ += pitch_pt;
  }

 private:
  void NewPage() {
    cairo_show_page(cr_);
    y_ = top_;
    at_page_top_ = true;
  }

  cairo_t* cr_;
  PangoContext* context_;
  std::string family_;
  double left_, top_, width_, bottom_;
  double y_;
  bool at_page_top_ = true;
};

/// cairo's write callback: appends to a std::string. No exception may unwind through cairo's
/// C frames, so a failed allocation becomes a cairo write error.
cairo_status_t AppendToString(void* closure, const unsigned char* data, unsigned int length) {
  try {
    static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  } catch (...) {
    return CAIRO_STATUS_WRITE_ERROR;
  }
  return CAIRO_STATUS_SUCCESS;
}

absl::Status CairoError(std::string_view what, cairo_status_t status) {
  return absl::InternalError(
      absl::StrCat("cairo: ", AbslView(what), ": ", cairo_status_to_string(status)));
}

/// The title on one line, for the PDF's Title entry.
std::string OneLine(std::string title) {
  for (char& c : title) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  return title;
}

}  // namespace

absl::StatusOr<std::string> RenderPdf(const TextDocument& doc, const PdfOptions& options) {
  RETURN_IF_ERROR(Validate(doc, options));
  RETURN_IF_ERROR(CheckFontFamily(options.font_family));

  // A font map of our own: pango's font maps are not thread-safe, and the per-thread default
  // one would live as long as its thread. Resolution 72 dpi makes pango's sizes PDF points.
  // Declared before the surface, so the surface is finished while the fonts are still held.
  GObjectPtr<PangoFontMap> font_map(pango_cairo_font_map_new());
  pango_cairo_font_map_set_resolution(PANGO_CAIRO_FONT_MAP(font_map.get()), 72);
  GObjectPtr<PangoContext> context(pango_font_map_create_context(font_map.get()));
  {
    // Outlines exactly as designed: no hinting, unrounded glyph positions.
    cairo_font_options_t* font_options = cairo_font_options_create();
    cairo_font_options_set_hint_style(font_options, CAIRO_HINT_STYLE_NONE);
    cairo_font_options_set_hint_metrics(font_options, CAIRO_HINT_METRICS_OFF);
    pango_cairo_context_set_font_options(context.get(), font_options);
    cairo_font_options_destroy(font_options);
  }
  pango_context_set_round_glyph_positions(context.get(), FALSE);

  std::string pdf;
  std::unique_ptr<cairo_surface_t, CairoSurfaceDestroy> surface(
      cairo_pdf_surface_create_for_stream(&AppendToString, &pdf, kA4WidthPt, kA4HeightPt));
  if (cairo_status_t s = cairo_surface_status(surface.get()); s != CAIRO_STATUS_SUCCESS) {
    return CairoError("creating the PDF surface", s);
  }
  // cairo 1.16 writes the current time as /CreationDate unless told otherwise; a date it
  // cannot parse (the empty string) leaves the entry out, so the bytes do not depend on when
  // they were made. (A fixed ISO date is written without the "D:" prefix PDF wants.)
  cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_CREATE_DATE, "");
  if (!doc.title.empty()) {
    cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_TITLE,
                                   OneLine(doc.title).c_str());
  }

  {
    std::unique_ptr<cairo_t, CairoDestroy> cr(cairo_create(surface.get()));
    pango_cairo_update_context(cr.get(), context.get());
    cairo_set_source_rgb(cr.get(), 0, 0, 0);

    const double body = options.body_size_pt;
    const double pitch = options.line_pitch_pt;
    PageWriter writer(cr.get(), context.get(), options);
    if (!doc.title.empty()) {
      RETURN_IF_ERROR(writer.Block(
          "title", doc.title,
          {.size_pt = options.title_size_pt,
           .pitch_pt = std::max(pitch, kTitlePitchFactor * options.title_size_pt),
           .alignment = PANGO_ALIGN_CENTER}));
    }
    if (!doc.number.empty()) {
      RETURN_IF_ERROR(writer.Block(
          "number", doc.number,
          {.size_pt = body, .pitch_pt = pitch, .alignment = PANGO_ALIGN_CENTER}));
    }
    writer.BlankLine(pitch);
    for (size_t i = 0; i < doc.paragraphs.size(); ++i) {
      RETURN_IF_ERROR(writer.Block(absl::StrCat("paragraphs[", i, "]"), doc.paragraphs[i],
                                   {.size_pt = body,
                                    .pitch_pt = pitch,
                                    .justify = true,
                                    .indent_pt = kParagraphIndentChars * body}));
    }
    if (!doc.closing.empty()) writer.BlankLine(pitch);
    for (size_t i = 0; i < doc.closing.size(); ++i) {
      RETURN_IF_ERROR(writer.Block(absl::StrCat("closing[", i, "]"), doc.closing[i],
                                   {.size_pt = body,
                                    .pitch_pt = pitch,
                                    .alignment = PANGO_ALIGN_RIGHT,
                                    .right_inset_pt = kClosingInsetChars * body}));
    }
    if (cairo_status_t s = cairo_status(cr.get()); s != CAIRO_STATUS_SUCCESS) {
      return CairoError("drawing", s);
    }
  }
  // Writes the last page, the fonts (subset, with ToUnicode maps) and the trailer.
  cairo_surface_finish(surface.get());
  if (cairo_status_t s = cairo_surface_status(surface.get()); s != CAIRO_STATUS_SUCCESS) {
    return CairoError("writing the PDF", s);
  }
  surface.reset();
  return pdf;
}

}  // namespace jianguan::pdf
