import Foundation

/// One element of a Tencent `MsgBody` (T§2): `{"MsgType": …, "MsgContent": {…}}`.
package enum MsgElement: Codable, Sendable, Equatable {
    case text(String)
    case image(ImageElem)
    case custom(CustomElem)
    /// A kind DeskBridge does not translate; kept verbatim so records show what was sent.
    case other(type: String)

    package struct ImageElem: Codable, Sendable, Equatable {
        package var UUID: String?
        package var ImageFormat: Int?
        package var ImageInfoArray: [ImageInfo]

        package struct ImageInfo: Codable, Sendable, Equatable {
            package var `Type`: Int
            package var Size: Int?
            package var Width: Int?
            package var Height: Int?
            package var URL: String

            package init(Type: Int, Size: Int?, Width: Int?, Height: Int?, URL: String) {
                self.Type = Type
                self.Size = Size
                self.Width = Width
                self.Height = Height
                self.URL = URL
            }
        }

        package init(UUID: String?, ImageFormat: Int?, ImageInfoArray: [ImageInfo]) {
            self.UUID = UUID
            self.ImageFormat = ImageFormat
            self.ImageInfoArray = ImageInfoArray
        }

        package init(url: String) {
            UUID = Hex.ref12(url)
            ImageFormat = 255
            ImageInfoArray = [ImageInfo(Type: 1, Size: 0, Width: 0, Height: 0, URL: url)]
        }

        /// Original (Type 1) first, else large (2), else whatever there is (D21).
        package var originalURL: String? {
            (ImageInfoArray.first { $0.Type == 1 } ?? ImageInfoArray.first { $0.Type == 2 } ?? ImageInfoArray.first)?.URL
        }
        package var thumbnailURL: String? { ImageInfoArray.first { $0.Type == 3 }?.URL }
    }

    package struct CustomElem: Codable, Sendable, Equatable {
        package var Data: String
        package var Desc: String?
        package var Ext: String?
        package var Sound: String?
        package init(data: String, desc: String? = nil) {
            self.Data = data
            self.Desc = desc
        }
    }

    private enum Keys: String, CodingKey { case MsgType, MsgContent }
    private struct TextContent: Codable { var Text: String }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        let type = try c.decode(String.self, forKey: .MsgType)
        switch type {
        case "TIMTextElem": self = .text(try c.decode(TextContent.self, forKey: .MsgContent).Text)
        case "TIMImageElem": self = .image(try c.decode(ImageElem.self, forKey: .MsgContent))
        case "TIMCustomElem": self = .custom(try c.decode(CustomElem.self, forKey: .MsgContent))
        default: self = .other(type: type)
        }
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        switch self {
        case .text(let text):
            try c.encode("TIMTextElem", forKey: .MsgType)
            try c.encode(TextContent(Text: text), forKey: .MsgContent)
        case .image(let image):
            try c.encode("TIMImageElem", forKey: .MsgType)
            try c.encode(image, forKey: .MsgContent)
        case .custom(let custom):
            try c.encode("TIMCustomElem", forKey: .MsgType)
            try c.encode(custom, forKey: .MsgContent)
        case .other(let type):
            try c.encode(type, forKey: .MsgType)
            try c.encode([String: String](), forKey: .MsgContent)
        }
    }

    package static func custom(_ message: DeskCustomMessage) -> MsgElement {
        .custom(CustomElem(data: message.jsonString))
    }

    /// The MsgType name, for records and logs.
    package var typeName: String {
        switch self {
        case .text: "TIMTextElem"
        case .image: "TIMImageElem"
        case .custom: "TIMCustomElem"
        case .other(let type): type
        }
    }
}
