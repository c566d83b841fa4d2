extension ColourScale {
  /// A horizontal legend of the scale from 0 to 100 %, as an `<svg>` element: the title, a bar of
  /// fifty colour steps, and ticks every 20 %.
  static func legendSVG() -> String {
    let (barLeft, barWidth, barTop, barHeight) = (96.0, 300.0, 8.0, 14.0)
    let steps = 50
    var parts = [
      Markup.svgOpening(
        className: "colour-scale", width: barLeft + barWidth + 16, height: 48,
        label: "Colour scale: accuracy in percent")
    ]
    parts.append(Markup.text("Accuracy (%)", x: 0, y: barTop + barHeight / 2, attributes: "dy=\"0.35em\""))
    let stepWidth = barWidth / Double(steps)
    for step in 0..<steps {
      let x = barLeft + Double(step) * stepWidth
      let fraction = (Double(step) + 0.5) / Double(steps)
      parts.append(
        "<rect class=\"scale-step\" x=\"\(Markup.number(x))\" y=\"\(Markup.number(barTop))\" "
          + "width=\"\(Markup.number(stepWidth + 0.4))\" "
          + "height=\"\(Markup.number(barHeight))\" fill=\"\(colour(fraction))\"/>")
    }
    parts.append(
      "<rect x=\"\(Markup.number(barLeft))\" y=\"\(Markup.number(barTop))\" width=\"\(Markup.number(barWidth))\" "
        + "height=\"\(Markup.number(barHeight))\" fill=\"none\" stroke=\"#444444\" stroke-width=\"0.5\"/>")
    for percent in stride(from: 0, through: 100, by: 20) {
      let x = barLeft + barWidth * Double(percent) / 100
      parts.append(
        "<line x1=\"\(Markup.number(x))\" y1=\"\(Markup.number(barTop + barHeight))\" x2=\"\(Markup.number(x))\" "
          + "y2=\"\(Markup.number(barTop + barHeight + 4))\" stroke=\"#444444\"/>")
      parts.append(
        Markup.text(
          String(percent), x: x, y: barTop + barHeight + 17, attributes: "text-anchor=\"middle\" font-size=\"11\""))
    }
    parts.append("</svg>")
    return parts.joined(separator: "\n")
  }
}
