import ContinualEngine

/// Pixel rearrangements on batches of images of shape `[count, channels, height, width]`, used by the
/// benchmark builders. Every function returns a new tensor and applies the same rearrangement to
/// every image and channel.
enum ImageGeometry {
  /// The images centred on a larger zero canvas: `[count, channels, side, side]`.
  ///
  /// When `side − height` is odd the extra row goes below (and the extra column to the right).
  /// The caller ensures `height` and `width` are at most `side`.
  static func padded(_ images: Tensor, toSide side: Int) -> Tensor {
    let (count, channels, height, width) = (images.shape[0], images.shape[1], images.shape[2], images.shape[3])
    let top = (side - height) / 2, left = (side - width) / 2
    var output = Tensor.zeros([count, channels, side, side])
    output.withUnsafeMutableBufferPointer { out in
      images.withUnsafeBufferPointer { input in
        for plane in 0..<(count * channels) {
          for row in 0..<height {
            let source = plane * height * width + row * width
            let target = plane * side * side + (row + top) * side + left
            for column in 0..<width { out[target + column] = input[source + column] }
          }
        }
      }
    }
    return output
  }

  /// The images with their pixels rearranged: pixel `k` of each output plane is pixel
  /// `permutation[k]` of the input plane (pixels numbered row by row).
  ///
  /// The caller ensures `permutation` is a permutation of `0..<height·width`.
  static func permutingPixels(_ images: Tensor, by permutation: [Int]) -> Tensor {
    let planeSize = permutation.count
    let planes = images.count / max(planeSize, 1)
    var output = Tensor.zeros(images.shape)
    output.withUnsafeMutableBufferPointer { out in
      images.withUnsafeBufferPointer { input in
        permutation.withUnsafeBufferPointer { permutation in
          for plane in 0..<planes {
            let base = plane * planeSize
            for k in 0..<planeSize { out[base + k] = input[base + permutation[k]] }
          }
        }
      }
    }
    return output
  }

  /// The images rotated counter-clockwise (as displayed, rows running down) by `degrees` about
  /// their centre, sampled bilinearly; pixels that come from outside the image are zero.
  static func rotated(_ images: Tensor, degrees: Double) -> Tensor {
    let (height, width) = (images.shape[2], images.shape[3])
    let planeSize = height * width
    let planes = images.count / max(planeSize, 1)
    // For each output pixel, its four source pixels and their weights (index 0, weight 0 when outside).
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
    var output = Tensor.zeros(images.shape)
    output.withUnsafeMutableBufferPointer { out in
      images.withUnsafeBufferPointer { input in
        sources.withUnsafeBufferPointer { sources in
          weights.withUnsafeBufferPointer { weights in
            for plane in 0..<planes {
              let base = plane * planeSize
              for pixel in 0..<planeSize {
                let entry = 4 * pixel
                var value = weights[entry] * input[base + sources[entry]]
                value += weights[entry + 1] * input[base + sources[entry + 1]]
                value += weights[entry + 2] * input[base + sources[entry + 2]]
                value += weights[entry + 3] * input[base + sources[entry + 3]]
                out[base + pixel] = value
              }
            }
          }
        }
      }
    }
    return output
  }
}
