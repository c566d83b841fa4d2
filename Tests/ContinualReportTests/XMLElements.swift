import Foundation

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// The elements of an XML document (or fragment), in document order, found with Foundation's
/// `XMLParser`, for checking the structure of the HTML report and its SVG figures.
struct XMLElements {
  /// One element: its name, attributes and the text directly inside it.
  struct Element {
    var name: String
    var attributes: [String: String]
    var text = ""

    /// The element's `class` attribute, split at spaces.
    var classes: [String] { (attributes["class"] ?? "").split(separator: " ").map(String.init) }
  }

  /// Every element, in document order.
  var elements: [Element]

  /// Parses `text`; fails (throws) when it is not well-formed XML.
  init(parsing text: String) throws {
    let parser = XMLParser(data: Data(text.utf8))
    let collector = Collector()
    parser.delegate = collector
    guard parser.parse() else {
      throw ParseError(
        line: parser.lineNumber, column: parser.columnNumber,
        reason: parser.parserError.map(String.init(describing:)) ?? "unknown")
    }
    elements = collector.elements
  }

  /// The elements named `name` that have the class `className`, if given.
  func named(_ name: String, class className: String? = nil) -> [Element] {
    elements.filter { $0.name == name && (className.map($0.classes.contains) ?? true) }
  }

  /// Why a text is not well-formed XML.
  struct ParseError: Error, CustomStringConvertible {
    var line: Int
    var column: Int
    var reason: String
    var description: String { "not well-formed XML at \(line):\(column): \(reason)" }
  }

  /// The parser's delegate: records each element and the characters inside it.
  private final class Collector: NSObject, XMLParserDelegate {
    var elements: [Element] = []
    var open: [Int] = []

    func parser(
      _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
      attributes: [String: String] = [:]
    ) {
      open.append(elements.count)
      elements.append(Element(name: elementName, attributes: attributes))
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
      open.removeLast()
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
      if let index = open.last { elements[index].text += string }
    }
  }
}

/// The `<svg>…</svg>` fragments of an HTML page, in order (figures do not nest).
func svgFragments(of html: String) -> [String] {
  var fragments: [String] = []
  var rest = html[...]
  while let start = rest.range(of: "<svg"), let end = rest.range(of: "</svg>", range: start.upperBound..<rest.endIndex)
  {
    fragments.append(String(rest[start.lowerBound..<end.upperBound]))
    rest = rest[end.upperBound...]
  }
  return fragments
}
