import Foundation

/// A linear map from data values to SVG coordinates, with readable tick values for its axis.
struct LinearScale {
  /// The data values shown, from the axis's start to its end.
  var domain: ClosedRange<Double>
  /// The SVG coordinate of the domain's lower bound.
  var start: Double
  /// The SVG coordinate of the domain's upper bound (smaller than `start` for a vertical axis).
  var end: Double

  /// The SVG coordinate of `value`.
  func callAsFunction(_ value: Double) -> Double {
    let span = domain.upperBound - domain.lowerBound
    guard span > 0 else { return (start + end) / 2 }
    return start + (value - domain.lowerBound) / span * (end - start)
  }

  /// Tick values: the multiples of a step of 1, 2, 2.5 or 5 times a power of ten inside the domain,
  /// at most `maximumCount` of them (and at least two when the domain is not a single value).
  func ticks(maximumCount: Int) -> [Double] {
    let span = domain.upperBound - domain.lowerBound
    guard span > 0, span.isFinite else { return [domain.lowerBound] }
    let step = Self.niceStep(span: span, maximumTicks: maximumCount)
    let first = (domain.lowerBound / step).rounded(.up)
    let last = (domain.upperBound / step).rounded(.down)
    guard first <= last else { return [domain.lowerBound, domain.upperBound] }
    return stride(from: first, through: last, by: 1).map { $0 * step }
  }

  /// `domain` widened to the nearest multiples of the tick step for `maximumCount` ticks, so that the
  /// axis starts and ends on a labelled tick.
  static func widened(_ domain: ClosedRange<Double>, maximumCount: Int) -> ClosedRange<Double> {
    let span = domain.upperBound - domain.lowerBound
    guard span > 0, span.isFinite else { return domain }
    let step = niceStep(span: span, maximumTicks: maximumCount)
    return ((domain.lowerBound / step).rounded(.down) * step)...((domain.upperBound / step).rounded(.up) * step)
  }

  /// The smallest step of 1, 2, 2.5 or 5 times a power of ten that cuts `span` into at most
  /// `maximumTicks - 1` intervals.
  static func niceStep(span: Double, maximumTicks: Int) -> Double {
    let intervals = Double(max(maximumTicks - 1, 1))
    let magnitude = pow(10, (log10(span / intervals)).rounded(.down))
    for multiple in [1, 2, 2.5, 5, 10] where span / (multiple * magnitude) <= intervals {
      return multiple * magnitude
    }
    return 10 * magnitude
  }

  /// The label of a tick value: a whole number when it is one, otherwise one decimal.
  static func label(_ value: Double) -> String {
    value == value.rounded() ? Cell.fixed(value, decimals: 0) : Cell.fixed(value, decimals: 1)
  }

  /// Task ticks `1…taskCount`, thinned to every second, fifth, … task when there are more than
  /// `maximumCount`.
  static func taskTicks(_ taskCount: Int, maximumCount: Int) -> [Int] {
    guard taskCount > 0 else { return [] }
    let step = Int((Double(taskCount) / Double(max(maximumCount, 1))).rounded(.up))
    return Array(stride(from: 1, through: taskCount, by: max(step, 1)))
  }

  /// A percentage axis for `values` (in percent): from the multiple of 10 at or below the smallest
  /// value (at most 90, at least 0) to 100.
  static func percentDomain(containing values: [Double]) -> ClosedRange<Double> {
    let finite = values.filter(\.isFinite)
    guard let smallest = finite.min() else { return 0...100 }
    let lower = min(max((smallest / 10).rounded(.down) * 10, 0), 90)
    return lower...100
  }
}
