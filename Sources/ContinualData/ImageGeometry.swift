import ContinualEngine

/// Pixel rearrangements on one image `[channels, height, width]` at a time, used when a batch is
/// built. Each kernel reads `input` and writes `output` (distinct buffers); `shape` is the input's.
/// Every channel is treated alike.
enum ImageGeometry {
  /// Centres the image on a `side`×`side` zero canvas. When `side − height` is odd the extra row
  /// goes below (and the extra column to the right). The caller ensures the image fits.
  static func pad(
    _ input: UnsafeMutablePointer<Float>, shape: [Int], toSide side: Int, into output: UnsafeMutablePointer<Float>
  ) {
    let (channels, height, width) = (shape[0], shape[1], shape[2])
    let top = (side - height) / 2, left = (side - width) / 2
    output.update(repeating: 0, count: channels * side * side)
    for plane in 0..<channels {
      for row in 0..<height {
        let source = plane * height * width + row * width
        let target = plane * side * side + (row + top) * side + left
        (output + target).update(from: input + source, count: width)
      }
    }
  }

  /// Rearranges each plane's pixels: output pixel `k` is input pixel `permutation[k]` (pixels
  /// numbered row by row). The caller ensures `permutation` is a permutation of `0..<height·width`.
  static func permute(
    _ input: UnsafeMutablePointer<Float>, shape: [Int], by permutation: [Int], into output: UnsafeMutablePointer<Float>
  ) {
    let planeSize = permutation.count
    permutation.withUnsafeBufferPointer { permutation in
      for plane in 0..<shape[0] {
        let base = plane * planeSize
        for k in 0..<planeSize { output[base + k] = input[base + permutation[k]] }
      }
    }
  }

  /// Subtracts `mean[c]` from every value of channel `c` and divides by `deviation[c]`.
  static func normalise(
    _ input: UnsafeMutablePointer<Float>, shape: [Int], mean: [Float], deviation: [Float],
    into output: UnsafeMutablePointer<Float>
  ) {
    let planeSize = shape.dropFirst().reduce(1, *)
    for channel in 0..<shape[0] {
      let (m, d) = (mean[channel], deviation[channel])
      for k in (channel * planeSize)..<((channel + 1) * planeSize) { output[k] = (input[k] - m) / d }
    }
  }

  /// Crops a window of the image shifted by the draw's offsets on a zero-padded canvas, then
  /// mirrors it left to right when the draw says so. The output has the input's shape.
  static func augment(
    _ input: UnsafeMutablePointer<Float>, shape: [Int], with draw: Augmentation.Draw,
    into output: UnsafeMutablePointer<Float>
  ) {
    let (channels, height, width) = (shape[0], shape[1], shape[2])
    for plane in 0..<channels {
      for row in 0..<height {
        let sourceRow = row + draw.rowShift
        for column in 0..<width {
          let target = plane * height * width + row * width + (draw.flips ? width - 1 - column : column)
          let sourceColumn = column + draw.columnShift
          let inside = sourceRow >= 0 && sourceRow < height && sourceColumn >= 0 && sourceColumn < width
          output[target] = inside ? input[plane * height * width + sourceRow * width + sourceColumn] : 0
        }
      }
    }
  }

  /// A bilinear rotation about the image centre, with each output pixel's four source pixels and
  /// weights computed once for an image size.
  struct Rotation: Sendable, Equatable {
    /// The angle, counter-clockwise as displayed, in degrees.
    let degrees: Double
    /// The image height and width the tables are for.
    let height: Int, width: Int
    /// For each output pixel, its four source pixels (index 0 with weight 0 when outside).
    let sources: [Int]
    /// The weight of each source pixel.
    let weights: [Float]

    /// The tables for rotating `height`×`width` images by `degrees`.
    init(degrees: Double, height: Int, width: Int) {
      self.degrees = degrees
      self.height = height
      self.width = width
      let planeSize = height * width
      var sources = [Int](repeating: 0, count: 4 * planeSize)
      var weights = [Float](repeating: 0, count: 4 * planeSize)
      let (sine, cosine) = PortableTrigonometry.sinCos(degrees: degrees)
      let centreX = Double(width - 1) / 2, centreY = Double(height - 1) / 2
      for row in 0..<height {
        for column in 0..<width {
          // Inverse map: rotate the output position clockwise to find where it came from.
          let x = Double(column) - centreX, y = Double(row) - centreY
          let sourceX = cosine * x - sine * y + centreX
          let sourceY = sine * x + cosine * y + centreY
          let x0 = sourceX.rounded(.down), y0 = sourceY.rounded(.down)
          let fx = Float(sourceX - x0), fy = Float(sourceY - y0)
          let corners = [(0, 0, (1 - fx) * (1 - fy)), (1, 0, fx * (1 - fy)), (0, 1, (1 - fx) * fy), (1, 1, fx * fy)]
          for (slot, (dx, dy, weight)) in corners.enumerated() {
            let sx = x0 + Double(dx), sy = y0 + Double(dy)
            guard sx >= 0, sy >= 0, sx < Double(width), sy < Double(height) else { continue }
            let entry = 4 * (row * width + column) + slot
            sources[entry] = Int(sy) * width + Int(sx)
            weights[entry] = weight
          }
        }
      }
      self.sources = sources
      self.weights = weights
    }

    /// Rotates every plane of `input` into `output`.
    func apply(_ input: UnsafeMutablePointer<Float>, shape: [Int], into output: UnsafeMutablePointer<Float>) {
      let planeSize = height * width
      sources.withUnsafeBufferPointer { sources in
        weights.withUnsafeBufferPointer { weights in
          for plane in 0..<shape[0] {
            let base = plane * planeSize
            for pixel in 0..<planeSize {
              let entry = 4 * pixel
              var value = weights[entry] * input[base + sources[entry]]
              value += weights[entry + 1] * input[base + sources[entry + 1]]
              value += weights[entry + 2] * input[base + sources[entry + 2]]
              value += weights[entry + 3] * input[base + sources[entry + 3]]
              output[base + pixel] = value
            }
          }
        }
      }
    }

    /// Equal when the angle and image size are equal (the tables follow from them).
    static func == (lhs: Rotation, rhs: Rotation) -> Bool {
      lhs.degrees == rhs.degrees && lhs.height == rhs.height && lhs.width == rhs.width
    }
  }
}
