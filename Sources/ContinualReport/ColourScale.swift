import Foundation

/// The sequential colour scale of the heat maps: viridis, from dark purple (0 %) through blue and
/// green to yellow (100 %).
///
/// Viridis is perceptually uniform, readable in greyscale and by readers with the common forms of
/// colour blindness. The scale interpolates linearly between eleven published viridis stops.
enum ColourScale {
  /// Viridis at 0, 0.1, …, 1, as RGB in 0…255.
  static let stops: [(red: Double, green: Double, blue: Double)] = [
    (68, 1, 84), (72, 36, 117), (65, 68, 135), (53, 95, 141), (42, 120, 142), (33, 145, 140),
    (34, 168, 132), (68, 191, 112), (122, 209, 81), (189, 223, 38), (253, 231, 37),
  ]

  /// The colour for `fraction` in [0, 1] (clamped), as RGB in 0…255.
  static func rgb(_ fraction: Double) -> (red: Double, green: Double, blue: Double) {
    let clamped = fraction.isFinite ? min(max(fraction, 0), 1) : 0
    let position = clamped * Double(stops.count - 1)
    let lower = min(Int(position), stops.count - 2)
    let t = position - Double(lower)
    let (a, b) = (stops[lower], stops[lower + 1])
    return (a.red + (b.red - a.red) * t, a.green + (b.green - a.green) * t, a.blue + (b.blue - a.blue) * t)
  }

  /// The colour for `fraction` in [0, 1] as `#rrggbb`.
  static func colour(_ fraction: Double) -> String {
    let (red, green, blue) = rgb(fraction)
    return String(format: "#%02x%02x%02x", Int(red.rounded()), Int(green.rounded()), Int(blue.rounded()))
  }

  /// A text colour readable on the colour for `fraction`: near-black or white, whichever has the
  /// higher WCAG contrast ratio (black wins above a relative luminance of about 0.179).
  static func textColour(on fraction: Double) -> String {
    let (red, green, blue) = rgb(fraction)
    func linear(_ component: Double) -> Double {
      let c = component / 255
      return c <= 0.039_28 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4)
    }
    let luminance = 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)
    return luminance > 0.179 ? "#111111" : "#ffffff"
  }
}
