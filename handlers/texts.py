"""Every customer-facing Vietnamese string, as named templates with named placeholders."""

from __future__ import annotations

ENERGY = "{amount} kWh"
MONEY = "{amount} đ"

FRESHNESS_TODAY = "số liệu đến {time} hôm nay"
FRESHNESS_YESTERDAY = "số liệu đến {time} hôm qua"
FRESHNESS_ON_DATE = "số liệu đến {time} ngày {date}"

# --- conversation: greeting, menu, small talk -------------------------------------------------
SORRY = "Xin lỗi, hệ thống đang gặp sự cố. Anh/chị vui lòng thử lại sau ít phút."
GREETING = (
    "Xin chào {name}! Em là trợ lý chăm sóc khách hàng của Điện lực. "
    "Em có thể tra cứu điện năng tiêu thụ, hóa đơn, lịch cắt điện, điểm thu tiền và nhiều việc khác."
)
GREETING_ANONYMOUS_NAME = "anh/chị"
GREETING_LINK_OFFER = (
    "Để xem số liệu của nhà mình, anh/chị hãy liên kết mã khách hàng với cuộc trò chuyện này."
)
HELP = "Anh/chị có thể hỏi em bằng lời thường, ví dụ: {examples}. Hoặc chọn một mục bên dưới:"
HELP_EXAMPLES = (
    "“hôm qua nhà tôi dùng bao nhiêu số”, “tiền điện tháng 10”, "
    "“lịch cúp điện tuần này”, “tính tiền điện 300 số”"
)
THANKS = "Dạ không có gì ạ. Chúc anh/chị một ngày tốt lành!"
UNKNOWN = "Xin lỗi, em chưa hiểu ý anh/chị. Anh/chị thử hỏi cách khác, hoặc chọn một mục bên dưới:"
UNKNOWN_OFFER_AGENT = "Em vẫn chưa hiểu ý anh/chị. Anh/chị có muốn nói chuyện với nhân viên chăm sóc khách hàng không?"
CANCELLED = "Dạ, em đã hủy thao tác. Anh/chị cần gì thêm cứ nhắn em nhé."

MENU_USAGE = "Điện năng tiêu thụ"
MENU_BILL = "Hóa đơn"
MENU_PAYMENT = "Thanh toán"
MENU_OUTAGE = "Lịch cắt điện"
MENU_CALCULATOR = "Tính tiền điện"
MENU_REQUESTS = "Yêu cầu dịch vụ"
MENU_LINK = "Liên kết mã khách hàng"
MENU_AGENT = "Gặp nhân viên"
BUTTON_YES = "Đồng ý"
BUTTON_NO = "Không"
BUTTON_CANCEL = "Hủy"

# --- linking and privacy --------------------------------------------------------------------------
LINK_HOW = (
    "Anh/chị có thể liên kết bằng cách chia sẻ số điện thoại (số đã đăng ký trong hợp đồng mua bán "
    "điện), hoặc nhắn mã khách hàng (13 ký tự, in trên hóa đơn, ví dụ PE05000987654)."
)
LINK_HOW_CODE_ONLY = (
    "Anh/chị vui lòng nhắn mã khách hàng (13 ký tự, in trên hóa đơn, ví dụ PE05000987654). "
    "Em sẽ gửi mã xác thực đến số điện thoại đăng ký trong hợp đồng."
)
BUTTON_SHARE_PHONE = "Chia sẻ số điện thoại"
LINK_NEEDED = "Để xem {what}, anh/chị cần liên kết mã khách hàng trước."
WHAT_USAGE = "điện năng tiêu thụ"
WHAT_BILL = "hóa đơn"
WHAT_PAYMENT = "tình trạng thanh toán"
WHAT_OUTAGE = "lịch cắt điện của trạm nhà mình"
WHAT_REQUESTS = "yêu cầu dịch vụ"
WHAT_SUBSCRIPTION = "thông báo định kỳ"
WHAT_DATA = "số liệu"
CODE_NOT_LINKED = (
    "Mã khách hàng {code} chưa được liên kết với cuộc trò chuyện này nên em không thể cung cấp "
    "thông tin. Nếu đây là mã của anh/chị, hãy liên kết trước."
)
LINK_THROTTLED = (
    "Anh/chị đã thử liên kết quá nhiều lần. Vì an toàn thông tin, vui lòng thử lại sau {minutes} "
    "phút hoặc gọi tổng đài {hotline}."
)
CONTACT_NOT_OWN = (
    "Em chỉ nhận số điện thoại của chính tài khoản đang trò chuyện. Anh/chị hãy bấm nút "
    "“Chia sẻ số điện thoại” thay vì gửi danh thiếp của người khác."
)
CONTACT_NOT_PRIVATE = (
    "Vì an toàn thông tin, anh/chị vui lòng liên kết trong cuộc trò chuyện riêng với em."
)
CONTACT_NO_CUSTOMER = (
    "Số điện thoại {phone} chưa đăng ký hợp đồng mua bán điện nào. Anh/chị có thể nhắn mã "
    "khách hàng để xác thực bằng mã gửi qua tin nhắn."
)
LINKED = "Đã liên kết: {customers}."
LINKED_CUSTOMER = "{code} – {name}"
ALREADY_LINKED = "Mã khách hàng {code} đã được liên kết với cuộc trò chuyện này rồi ạ."
CONSENT_NOTICE = (
    "Khi liên kết, anh/chị đồng ý cho em dùng số liệu của mã khách hàng để trả lời tra cứu, "
    "gửi cảnh báo và thông báo cắt điện. Anh/chị có thể rút lại từng mục bất cứ lúc nào "
    "(nhắn “quyền riêng tư”), hoặc xóa toàn bộ dữ liệu bằng lệnh /xoa_du_lieu."
)
CODE_SENT = (
    "Em đã gửi mã xác thực 6 chữ số đến số điện thoại {phone} của hợp đồng. Anh/chị nhắn mã đó "
    "vào đây trong vòng {minutes} phút."
)
CODE_UNKNOWN_CUSTOMER = "Em không tìm thấy mã khách hàng này, hoặc mã chưa đúng. Anh/chị kiểm tra lại trên hóa đơn giúp em."
CODE_WRONG = "Mã xác thực chưa đúng. Anh/chị còn {left} lần thử."
CODE_EXPIRED = "Mã xác thực đã hết hạn hoặc đã sai quá số lần cho phép. Anh/chị nhắn lại mã khách hàng để nhận mã mới."
CODE_ASK = "Anh/chị vui lòng nhắn mã xác thực 6 chữ số đã nhận được (hoặc nhắn “hủy”)."
UNLINK_CHOOSE = "Anh/chị muốn hủy liên kết mã khách hàng nào?"
UNLINKED = "Đã hủy liên kết mã khách hàng {code}."
NOTHING_LINKED = "Cuộc trò chuyện này chưa liên kết mã khách hàng nào."
FORGET_CONFIRM = (
    "Anh/chị có chắc muốn xóa toàn bộ dữ liệu của cuộc trò chuyện này (liên kết, đăng ký nhận tin, "
    "lịch sử trò chuyện) không?"
)
FORGOTTEN = "Em đã xóa toàn bộ liên kết và lịch sử trò chuyện của anh/chị."
CONSENTS = (
    "Quyền riêng tư – anh/chị đang đồng ý: {granted}. Bấm vào một mục để rút lại hoặc cấp lại."
)
CONSENT_NONE = "không mục nào"
CONSENT_WITHDRAWN = "Đã rút lại đồng ý: {purpose}."
CONSENT_GRANTED = "Đã đồng ý: {purpose}."
CONSENT_REQUIRED = "Anh/chị đã rút lại đồng ý “{purpose}”, nên em không dùng số liệu cho việc này. Nhắn “quyền riêng tư” để cấp lại."
PURPOSE_NAMES = {
    "lookups": "tra cứu số liệu",
    "daily": "tin nhắn điện năng hằng ngày",
    "alerts": "cảnh báo sử dụng điện",
    "outages": "thông báo cắt điện",
    "surveys": "khảo sát ý kiến",
}
CHOOSE_CUSTOMER = "Anh/chị muốn xem cho mã khách hàng nào?"

# --- handoff ------------------------------------------------------------------------------------
AGENT_REQUESTED = (
    "Em đã chuyển yêu cầu của anh/chị đến nhân viên chăm sóc khách hàng (mã hồ sơ #{case}). "
    "Nhân viên sẽ trả lời ngay tại đây. Nếu cần gấp, anh/chị gọi tổng đài {hotline}. "
    "Nhắn /bot để quay lại trò chuyện với em."
)
BACK_TO_BOT = "Em đã quay lại hỗ trợ anh/chị. Anh/chị cần gì cứ nhắn em nhé."

# --- Telegram channel (bot/telegram) ------------------------------------------------------------
TELEGRAM_CHOOSE = "Mời anh/chị chọn:"
TELEGRAM_KEYBOARD_PROMPT = "Hoặc bấm nút ở bàn phím bên dưới."
TELEGRAM_COMMAND_START = "Bắt đầu và xem menu"
TELEGRAM_COMMAND_MENU = "Xem menu tra cứu"
TELEGRAM_COMMAND_LINK = "Liên kết mã khách hàng"
TELEGRAM_COMMAND_UNLINK = "Hủy liên kết mã khách hàng"
TELEGRAM_COMMAND_FORGET = "Xóa dữ liệu của tôi"
TELEGRAM_COMMAND_AGENT = "Gặp nhân viên chăm sóc khách hàng"
TELEGRAM_COMMAND_BOT = "Quay lại trò chuyện với bot"

# --- Zalo and one-time code delivery ---------------------------------------------------------
ZALO_MORE_CHOICES = "Các lựa chọn khác:"
# An SMS is written without diacritics: 160 characters per part instead of 70, and brand-name
# SMS routes of Vietnamese carriers often refuse Unicode.
ONE_TIME_CODE_SMS = (
    "Ma xac thuc lien ket ma khach hang {customer_code} voi kenh cham soc khach hang "
    "cua Dien luc: {code}. Tuyet doi khong cung cap ma nay cho bat ky ai."
)

# --- web chat (bot/web) and the terminal chat (dienbot chat) ------------------------------------
WEB_TITLE = "Trợ lý chăm sóc khách hàng – Điện lực"
WEB_HEADING = "Trợ lý chăm sóc khách hàng"
WEB_SUBHEADING = "Tra cứu điện năng, hóa đơn, lịch cắt điện, điểm thu tiền"
WEB_LOG_LABEL = "Cuộc trò chuyện"
WEB_INPUT_LABEL = "Tin nhắn của anh/chị"
WEB_INPUT_PLACEHOLDER = "Ví dụ: tiền điện tháng này bao nhiêu"
WEB_SEND = "Gửi"
WEB_YOU = "Anh/chị"
WEB_BOT = "Trợ lý"
WEB_BUTTONS_LABEL = "Lựa chọn"
WEB_NO_SCRIPT = "Trang trò chuyện cần bật JavaScript trong trình duyệt."
WEB_DEV_NOTICE = (
    "Chế độ thử nghiệm: chưa cấu hình cổng SMS, nên mã xác thực 6 chữ số không được gửi tin nhắn "
    "mà được ghi vào nhật ký (log) của dịch vụ. Xem cửa sổ đang chạy dịch vụ để lấy mã."
)
WEB_SENDING = "Đang gửi…"
WEB_LOCATION_SENT = "📍 Đã gửi vị trí hiện tại"
WEB_LOCATION_UNAVAILABLE = (
    "Trình duyệt không cho phép lấy vị trí. Anh/chị có thể nhắn tên phường, quận thay thế."
)
WEB_NETWORK_ERROR = "Không gửi được tin nhắn. Anh/chị kiểm tra kết nối mạng rồi thử lại."
WEB_SESSION_MISSING = "Phiên trò chuyện đã hết hạn. Anh/chị vui lòng tải lại trang."
WEB_BAD_REQUEST = "Em không đọc được tin nhắn này. Anh/chị vui lòng tải lại trang và thử lại."
WEB_TEXT_TOO_LONG = "Tin nhắn quá dài (tối đa {limit} ký tự). Anh/chị vui lòng rút gọn giúp em."
WEB_RATE_LIMITED = (
    "Anh/chị đang nhắn nhanh quá. Vui lòng đợi khoảng một phút rồi nhắn tiếp giúp em nhé."
)
LOCAL_BUTTON_HINT = "(nhắn số thứ tự để bấm nút; Ctrl+D để thoát)"
LOCAL_ASK_LOCATION = "Nhập vị trí dạng “vĩ độ, kinh độ”, ví dụ 10.7769, 106.7009:"
LOCAL_BAD_LOCATION = "Vị trí chưa đúng dạng “vĩ độ, kinh độ”."
LOCAL_NOT_AVAILABLE = "Nút này không dùng được trong cửa sổ dòng lệnh."
LOCAL_OPEN_URL = "Mở liên kết: {url}"
LOCAL_IMAGE = "[hình ảnh: {caption}]"
