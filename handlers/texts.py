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
UNKNOWN_TO_AGENT = "Xin lỗi, em vẫn chưa hiểu ý anh/chị. Em chuyển anh/chị sang nhân viên chăm sóc khách hàng nhé."
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
    "điện), hoặc nhắn mã khách hàng (13 ký tự, in trên hóa đơn)."
)
LINK_HOW_CODE_ONLY = (
    "Anh/chị vui lòng nhắn mã khách hàng (13 ký tự, in trên hóa đơn). "
    "Em sẽ gửi mã xác thực đến số điện thoại đăng ký trong hợp đồng."
)
# After LINK_HOW: the code's shape, whatever the power corporation (PE, PP, PD, …).
LINK_CODE_EXAMPLE = "Mã bắt đầu bằng chữ P và một chữ cái chỉ Tổng công ty Điện lực, ví dụ {code}."
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
# The one answer to a customer code looked up, found or not, sent or held back by a limit: the
# chat must not learn which codes exist, nor any digit of their phones (docs/security.md).
CODE_SENT = (
    "Nếu mã khách hàng đúng, mã xác thực 6 chữ số đã được gửi tới số điện thoại đăng ký trong "
    "hợp đồng. Anh/chị nhắn mã đó vào đây trong vòng {minutes} phút. Nếu không nhận được tin "
    "nhắn, anh/chị kiểm tra lại mã khách hàng trên hóa đơn hoặc gọi tổng đài {hotline}."
)
LINK_BUSY = (
    "Hiện có quá nhiều yêu cầu liên kết. Vì an toàn thông tin, anh/chị vui lòng thử lại sau "
    "{minutes} phút hoặc gọi tổng đài {hotline}."
)
LINK_PAUSED = (
    "Mã khách hàng {code} đã bị nhập sai mã xác thực nhiều lần. Vì an toàn thông tin, em tạm "
    "dừng liên kết mã này bằng mã xác thực, tối đa {hours} giờ. Anh/chị cần hỗ trợ vui lòng gọi "
    "tổng đài {hotline}."
)
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

# --- pending questions: the reminder after a digression (handlers/pending.py) ----------------
REMIND_CUSTOMER_CODE = "Em vẫn chờ mã khách hàng để liên kết (in trên hóa đơn). Anh/chị nhắn mã khi sẵn sàng, hoặc nhắn “hủy”."
REMIND_ONE_TIME_CODE = "Mã xác thực gửi tới số điện thoại đăng ký (nếu mã khách hàng đúng) dùng được đến {time}. Anh/chị nhắn 6 chữ số khi nhận được tin nhắn, hoặc nhắn “hủy”."
REMIND_CHOOSE_CUSTOMER = "Câu hỏi lúc nãy vẫn chờ anh/chị chọn mã khách hàng:"
REMIND_FORGET = "Anh/chị vẫn muốn xóa dữ liệu của cuộc trò chuyện này chứ?"
REMIND_SERVICE_TYPE = "Anh/chị vẫn có thể chọn dịch vụ cần làm:"
REMIND_OUTAGE_AREA = "Anh/chị vẫn có thể nhắn hoặc chọn khu vực để xem lịch cắt điện:"
REMIND_PAYMENT_AREA = (
    "Anh/chị vẫn có thể chia sẻ vị trí hoặc nhắn khu vực để tìm điểm thu tiền điện:"
)
REMIND_CALCULATOR = "Anh/chị vẫn có thể nhắn số điện (kWh) hoặc số tiền để em tính tiền điện:"
REMIND_APPLIANCE = (
    "Anh/chị vẫn có thể nhắn thiết bị cần tính (tên, công suất, số giờ dùng mỗi ngày):"
)
REMIND_BILL_MONTH = "Anh/chị vẫn có thể nhắn hoặc chọn tháng hóa đơn cần xem:"
REMIND_SUBSCRIPTION = "Anh/chị vẫn có thể chọn thông báo muốn nhận:"
REMIND_UNSUBSCRIBE = "Anh/chị vẫn có thể chọn thông báo muốn ngừng nhận:"
REMIND_ALERT = "Anh/chị vẫn có thể chọn hoặc nhắn ngưỡng cảnh báo:"
REMIND_UNLINK = "Anh/chị vẫn có thể chọn mã khách hàng cần hủy liên kết:"

# --- handoff ------------------------------------------------------------------------------------
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
# Appended to the first code after a customer's linking paused (too many wrong codes).
ONE_TIME_CODE_SMS_WARNING = "Luu y: gan day co nguoi nhap sai ma xac thuc nhieu lan cho ma nay."

# --- usage, chart, bills, payment status, abnormal use (handlers/usage.py, chart.py, bills.py,
# projection.py, payment_status.py, abnormal.py) ---------------------------------------------------
USAGE_DAY = "Ngày {date}, mã {code} dùng {kwh}."
USAGE_RANGE = "{label} ({first} – {last}), mã {code} dùng {kwh}, trung bình {daily}/ngày."
USAGE_LABEL_LAST_DAYS = "{count} ngày qua"
USAGE_LABEL_MONTH_TO_DATE = "Tháng này"
USAGE_LABEL_PERIOD = "Kỳ hóa đơn này"
USAGE_LABEL_MONTH = "Tháng {month}"
USAGE_NO_DATA = "Chưa có số liệu điện năng của mã {code} cho {what}."
USAGE_NO_DATA_DAY = "ngày {date}"
USAGE_NO_DATA_RANGE = "khoảng {first} – {last}"
USAGE_BANDS = "Giờ bình thường {normal}, giờ cao điểm {peak}, giờ thấp điểm {offpeak}."
USAGE_ESTIMATED = "Có {count} ngày là số ước tính (nội suy vì thiếu chỉ số): {dates}."
USAGE_MISSING = "Còn {count} ngày chưa có số liệu."
USAGE_COMPARE_DAY = (
    "So với trung bình 7 ngày trước đó ({first} – {last}): {daily}/ngày ({change})."
)
USAGE_COMPARE_SPAN = (
    "So sánh {days} ngày {first} – {last} với {days} ngày {label} ({before_first} – "
    "{before_last}): {kwh} so với {before_kwh} ({change})."
)
USAGE_BEFORE = "trước đó"
USAGE_SAME_DAYS_LAST_MONTH = "cùng kỳ tháng trước"
USAGE_COMPARE_MONTHS = (
    "So sánh tháng {month} với tháng {before_month} (cùng {days} ngày): {kwh} so với "
    "{before_kwh} ({change})."
)
USAGE_COMPARE_MONTHS_DAILY = (
    "So sánh tháng {month} ({days} ngày, {kwh}) với tháng {before_month} ({before_days} ngày, "
    "{before_kwh}) theo trung bình mỗi ngày: {daily} so với {before_daily} ({change})."
)
CHANGE_UP = "tăng {percent}%"
CHANGE_DOWN = "giảm {percent}%"
CHANGE_SAME = "tương đương"
USAGE_FRESHNESS = "({freshness}.)"
USAGE_INDEX = "Chỉ số công tơ {meter} lúc {time} ngày {date}: {index}."
USAGE_INDEX_BANDS = "Bình thường {normal}; cao điểm {peak}; thấp điểm {offpeak}."
USAGE_INDEX_NONE = "Chưa có chỉ số công tơ nào của mã {code}."
USAGE_READING_DAY = "Công tơ được chốt chỉ số hằng tháng vào ngày {day}."
USAGE_READING_DAY_LAST = "Công tơ được chốt chỉ số vào ngày cuối mỗi tháng."
BUTTON_USAGE_CHART = "Xem biểu đồ 30 ngày"
BUTTON_USAGE_YESTERDAY = "Hôm qua"
BUTTON_USAGE_LAST_7 = "7 ngày qua"
BUTTON_USAGE_PERIOD = "Kỳ này"
BUTTON_USAGE_INDEX = "Chỉ số công tơ"

CHART_TITLE = "Điện năng tiêu thụ 30 ngày – {code}"
CHART_Y_LABEL = "kWh/ngày"
CHART_LEGEND_MEASURED = "Số đo"
CHART_LEGEND_ESTIMATED = "Ước tính"
CHART_CAPTION = (
    "Điện năng 30 ngày ({first} – {last}) của mã {code}: {kwh}, trung bình {daily}/ngày; "
    "cao nhất {peak} ngày {peak_date}."
)
CHART_CAPTION_ESTIMATED = "Cột gạch chéo, màu nhạt là {count} ngày số ước tính."
CHART_NO_DATA = "Chưa có số liệu 30 ngày qua của mã {code} để vẽ biểu đồ."

BILL_HEADER = "Hóa đơn tháng {month} của mã {code}:"
BILL_PERIOD = "• Kỳ: {first} – {last} ({days} ngày)"
BILL_KWH = "• Điện năng: {kwh}"
BILL_AMOUNT = "• Tiền điện {before} + thuế GTGT {vat} = {total}"
BILL_DUE = "• Hạn thanh toán: {date}"
BILL_PAID = "• Đã thanh toán ngày {date}."
BILL_UNPAID = "• Chưa thanh toán."
BILL_OVERDUE = "• Chưa thanh toán, đã quá hạn {days} ngày."
BILL_LINES = "Chi tiết theo biểu giá:"
BILL_LINE_TIER = "Bậc {tier}: {kwh} × {price} = {amount}"
BILL_LINE_BAND = "{band}: {kwh} × {price} = {amount}"
BILL_LINE_FLAT = "{kwh} × {price} = {amount}"
BILL_LINE_FROM = " (giá từ {date})"
BAND_NAMES = {"normal": "Giờ bình thường", "peak": "Giờ cao điểm", "offpeak": "Giờ thấp điểm"}
BILL_RECOMPUTED_DIFFERS = (
    "Lưu ý: tính lại theo biểu giá được {recomputed}, khác {difference} so với hóa đơn. "
    "Số phải trả là số trên hóa đơn; cần giải đáp, anh/chị gọi tổng đài {hotline}."
)
BILL_NONE = "Chưa có hóa đơn nào của mã {code}."
BILL_NONE_FOR_MONTH = "Không có hóa đơn tháng {month} của mã {code}. Các hóa đơn gần nhất:"
BILL_NOT_YET = (
    "Hóa đơn tháng {month} của mã {code} chưa phát hành (công tơ chốt chỉ số ngày {date})."
)
BUTTON_BILL_MONTH = "Tháng {month}"
BUTTON_BILL_WHY = "Vì sao khác tháng trước?"
BUTTON_BILL_PROJECTION = "Dự kiến kỳ này"
BUTTON_PAYMENT_STATUS = "Tình trạng thanh toán"
BUTTON_PAYMENT_METHODS = "Cách thanh toán"
BUTTON_PAYMENT_POINTS = "Điểm thu tiền điện"

WHY_HEADER = (
    "Hóa đơn tháng {month} ({total}) so với tháng {previous_month} ({previous_total}): {change}."
)
WHY_MORE = "tăng {amount}"
WHY_LESS = "giảm {amount}"
WHY_SAME = "không đổi"
WHY_DAYS = "• Số ngày của kỳ ({days} so với {previous_days} ngày): {amount}"
WHY_KWH = "• Điện năng ({kwh} so với {previous_kwh}): {amount}"
WHY_TIER_MIX = "• Phần điện thay đổi rơi vào bậc giá khác: {amount}"
WHY_PRICE = "• Giá điện điều chỉnh: {amount}"
WHY_VAT = "• Thuế GTGT: {amount}"
WHY_VAT_RATE = "• trong đó do thay đổi thuế suất GTGT: {amount}"
WHY_RECOMPUTED = "(Các khoản tính lại theo biểu giá, đã gồm thuế.)"
WHY_NO_PREVIOUS = "Chưa có hóa đơn trước tháng {month} để so sánh."
WHY_TOU = "Điện năng kỳ này {kwh}, kỳ trước {previous_kwh}; tiền điện {change}."
SIGNED_PLUS = "+{amount}"

PROJECTION = (
    "Kỳ này ({first} – {last}): đến hết {as_of}, mã {code} đã dùng {kwh} trong {days} ngày. "
    "Nếu dùng như vậy, cả kỳ khoảng {projected}, tiền điện dự kiến {total} (gồm thuế)."
)
PROJECTION_TIER = "Mức dùng dự kiến ở bậc {tier} (giá {price}/kWh)."
PROJECTION_NEXT_TIER = (
    "Còn {left} nữa là sang bậc {next_tier} (giá {next_price}/kWh, đắt hơn {extra}/kWh chưa thuế)."
)
PROJECTION_STAY = "Để không sang bậc {next_tier}, trung bình dùng không quá {daily}/ngày trong {days} ngày còn lại."
PROJECTION_TOP_TIER = "Mức dùng dự kiến đã ở bậc cao nhất (giá {price}/kWh)."
PROJECTION_NO_DATA = "Kỳ này mới bắt đầu ({first}), chưa đủ số liệu để dự kiến tiền điện."

PAYMENT_ALL_PAID = "Mã {code} không còn nợ tiền điện."
PAYMENT_LATEST_PAID = "Hóa đơn tháng {month} ({total}) đã thanh toán ngày {date}."
PAYMENT_UNPAID_HEADER = "Mã {code} còn {count} hóa đơn chưa thanh toán:"
PAYMENT_UNPAID_LINE = "• Tháng {month}: {total}, hạn {due}"
PAYMENT_UNPAID_OVERDUE = " – quá hạn {days} ngày"
PAYMENT_TOTAL_DEBT = "Tổng số tiền còn nợ: {total}."
PAYMENT_OVERDUE_WARNING = (
    "Hóa đơn đã quá hạn: anh/chị vui lòng thanh toán sớm; nợ quá hạn có thể bị tạm ngừng cấp "
    "điện sau khi Điện lực thông báo."
)
PAYMENT_DUE_SOON = "Hạn thanh toán gần nhất: {date} (còn {days} ngày)."
WHAT_PAY = "số tiền cần thanh toán"
PAY_OWED = "Mã KH {code} cần thanh toán {total} ({count} hóa đơn chưa thanh toán):"
PAY_NOTHING_OWED = "Mã KH {code} không còn nợ tiền điện, anh/chị chưa cần thanh toán."
PAY_NOT_IN_CHAT = (
    "Em chưa nhận thanh toán ngay trong cuộc trò chuyện này (chưa có liên kết hay mã QR thanh "
    "toán). Anh/chị có thể thanh toán trực tuyến qua:"
)
PAY_WITH_CODE = "Khi thanh toán, anh/chị chọn nhà cung cấp {company} và nhập mã khách hàng {code}."
PAY_COMPANY_UNKNOWN = "Điện lực nơi mình ở"
PAY_METHODS_FOOTER_LINKED = (
    "Anh/chị hỏi em cụ thể một cách (ví dụ “trả qua MoMo thế nào”) để xem hướng dẫn."
)
BUTTON_PAY_NOW = "Số tiền cần trả"

ABNORMAL_HIGH = (
    "7 ngày qua ({first} – {last}) mã {code} dùng trung bình {recent}/ngày, cao hơn "
    "{percent}% so với mức thường ngày {usual}/ngày (ngày trung vị của 28 ngày trước đó, "
    "{usual_first} – {usual_last})."
)
ABNORMAL_DOUBLED = "Mức dùng đã tăng gần gấp đôi."
ABNORMAL_BASE = (
    "Ngày dùng ít nhất cũng đã lên {recent_low} (trước đây {usual_low}): có một phần điện "
    "chạy liên tục cả ngày lẫn đêm."
)
ABNORMAL_SINCE = "Mức dùng tăng từ khoảng ngày {date}."
ABNORMAL_CAUSES = (
    "Nguyên nhân thường gặp: máy lạnh chạy nhiều hơn khi trời nóng, thiết bị mới (bình nóng "
    "lạnh, tủ đông, máy bơm), thiết bị hỏng chạy liên tục, hoặc điện bị rò sau công tơ."
)
ABNORMAL_SAFETY = (
    "Để kiểm tra rò điện: tắt hết thiết bị và cầu dao nhánh, rồi xem công tơ còn chạy không. "
    "Nếu còn chạy, có thể điện đang rò: không chạm vào thiết bị, dây điện ẩm ướt, và mời thợ "
    "điện kiểm tra. Anh/chị cũng có thể yêu cầu Điện lực kiểm tra công tơ."
)
ABNORMAL_NORMAL = (
    "7 ngày qua ({first} – {last}) mã {code} dùng trung bình {recent}/ngày, so với mức thường "
    "ngày {usual}/ngày (ngày trung vị của 28 ngày trước đó, {usual_first} – {usual_last}): "
    "{change}, không thấy dấu hiệu bất thường."
)
ABNORMAL_NORMAL_HINT = (
    "Nếu hóa đơn vẫn cao, anh/chị xem phần giải thích hóa đơn hoặc biểu đồ 30 ngày; nghi công "
    "tơ sai, anh/chị có thể yêu cầu kiểm tra công tơ."
)
ABNORMAL_NOT_ENOUGH = "Chưa đủ số liệu (cần khoảng 5 tuần) để so sánh mức dùng của mã {code}."
BUTTON_METER_INSPECTION = "Yêu cầu kiểm tra công tơ"
INSPECTION_NOTE = (
    "Khách hàng nghi điện năng tăng bất thường, yêu cầu kiểm tra công tơ (qua chatbot)."
)
INSPECTION_FILED = (
    "Em đã ghi nhận yêu cầu kiểm tra công tơ của mã {code}, mã yêu cầu {request_id}. "
    "Điện lực sẽ liên hệ hẹn lịch; anh/chị có thể hỏi “yêu cầu {request_id} tới đâu rồi”."
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

# --- outages, incidents, service requests, subscriptions (issue 5) ----------------------------
WHAT_OUTAGE_REPORT = "báo sự cố cho nhà mình"
OUTAGE_TIME = "{date} {time}"
OUTAGE_PERIOD_DAY = "ngày {date}"
OUTAGE_PERIOD_RANGE = "từ {start} đến {end}"
OUTAGE_OWN_HEADER = "Lịch tạm ngừng cung cấp điện {period} của mã KH {code} (trạm {station}):"
OUTAGE_OWN_NONE = "Trạm {station} của mã KH {code} không có lịch tạm ngừng cung cấp điện {period}."
OUTAGE_NO_STATION = (
    "Em chưa có thông tin trạm biến áp của mã KH {code}, nên chỉ xem được theo khu vực."
)
OUTAGE_AREA_HEADER = "Lịch tạm ngừng cung cấp điện ở {area} {period}:"
OUTAGE_AREA_OTHERS = "Các lịch khác ở {area} (không cắt trạm nhà mình):"
OUTAGE_AREA_NONE = "Không có lịch tạm ngừng cung cấp điện nào ở {area} {period}."
OUTAGE_LINE = "• {start} – {end}: {stations}. Lý do: {reason}."
OUTAGE_LINE_IN_AREA = "• {start} – {end}, {area}: {stations}. Lý do: {reason}."
OUTAGE_LINE_OWN = "⚠ {start} – {end}: cắt điện trạm {station}. Lý do: {reason}."
OUTAGE_LINE_CUTS = " (cắt trạm của mã KH {code})"
OUTAGE_WHOLE_AREA = "toàn khu vực"
OUTAGE_MORE = "… và {count} lịch khác."
OUTAGE_ASK_AREA = (
    "Anh/chị muốn xem lịch cắt điện ở khu vực nào? Nhắn tên phường, xã (tên mới hay tên cũ, "
    "hoặc quận, huyện cũ; ví dụ “lịch cắt điện phường Tân Định”, “quận Tân Bình”), hoặc chọn "
    "một khu vực có lịch {period}:"
)
OUTAGE_ASK_AREA_NONE = (
    "Không có khu vực nào có lịch tạm ngừng cung cấp điện {period}. Để xem lịch của trạm nhà "
    "mình, anh/chị hãy liên kết mã khách hàng."
)
OUTAGE_LINK_OFFER = "Liên kết mã khách hàng để em báo riêng lịch cắt điện của trạm nhà mình."
BUTTON_OUTAGE_NEXT_WEEK = "Tuần sau"
BUTTON_OUTAGE_SUBSCRIBE = "Báo trước khi cắt điện"
BUTTON_REPORT_OUTAGE = "Báo mất điện"

HAZARD_SAFETY = (
    "⚠ Vì an toàn, anh/chị và mọi người hãy tránh xa chỗ dây điện, thiết bị bị sự cố ít nhất "
    "vài mét, tuyệt đối không chạm vào hay tự xử lý, không để trẻ em lại gần. Nếu có cháy, gọi "
    "ngay 114. Gọi tổng đài điện lực (trực 24/7) {hotline} để được cắt điện khẩn cấp."
)
INCIDENT_FILED = (
    "Em đã ghi nhận báo sự cố của mã KH {code}, mã yêu cầu {request_id}. Điện lực sẽ kiểm tra "
    "và khắc phục sớm nhất; cần gấp anh/chị gọi {hotline}."
)
INCIDENT_ALREADY = (
    "Anh/chị đã báo sự cố này lúc {time} (mã yêu cầu {request_id}), Điện lực đang xử lý. "
    "Cần gấp anh/chị gọi {hotline}."
)
INCIDENT_FILED_ANONYMOUS = (
    "Em đã ghi nhận báo sự cố, mã yêu cầu {request_id}. Để Điện lực đến đúng chỗ, anh/chị vui "
    "lòng gọi tổng đài {hotline} và cho biết địa chỉ cụ thể."
)
INCIDENT_PLANNED = (
    "Trạm {station} đang trong lịch tạm ngừng cung cấp điện có kế hoạch ({reason}), dự kiến có "
    "điện lại lúc {until}."
)
INCIDENT_AREA_PLANNED = (
    "{area} đang có lịch tạm ngừng cung cấp điện có kế hoạch ({reason}), dự kiến có điện lại lúc "
    "{until}."
)
INCIDENT_WHICH = "Sự cố ở nhà của mã khách hàng nào ạ?"
INCIDENT_NOTE = "Báo qua kênh chat: {text}"

SERVICE_ASK_TYPE = "Anh/chị cần làm dịch vụ nào?"
SERVICE_CONFIRM = "Anh/chị xác nhận gửi yêu cầu {service} cho mã KH {code}?"
SERVICE_WHAT = "Dịch vụ: {description}"
SERVICE_FEE = "Chi phí: {fee} (theo quy định dịch vụ EVN công bố; số tiền cụ thể Điện lực báo khi tiếp nhận, khảo sát)."
SERVICE_CONFIRM_HINT = "Bấm “Xác nhận gửi” để em gửi yêu cầu, hoặc “Hủy” nếu chưa cần."
BUTTON_SERVICE_CONFIRM = "Xác nhận gửi"
SERVICE_DESCRIPTIONS = {
    "new_connection": "Điện lực khảo sát, lắp công tơ và ký hợp đồng mua bán điện cho nơi chưa có điện.",
    "contract_change": "đổi chủ hợp đồng, thông tin, mục đích sử dụng điện hoặc định mức (số hộ dùng chung) trong hợp đồng mua bán điện.",
    "contract_end": "chấm dứt hợp đồng mua bán điện và thu hồi công tơ; tiền điện đến ngày chấm dứt được tính và thanh toán.",
    "suspension": "Điện lực tạm ngừng cấp điện theo ngày giờ anh/chị đề nghị (nhà đi vắng, sửa chữa…), rồi cấp điện trở lại.",
    "meter_inspection": "Điện lực kiểm tra công tơ tại nhà (chỉ số, đấu nối, niêm phong); nếu anh/chị vẫn đề nghị, công tơ được kiểm định tại tổ chức kiểm định độc lập.",
    "meter_relocation": "di chuyển công tơ đến vị trí mới (khi sửa nhà, dời nhà).",
}
SERVICE_FEES = {
    "new_connection": "anh/chị trả phần từ điểm đấu nối đến nơi sử dụng điện; công tơ và thiết bị đóng cắt do Điện lực đầu tư",
    "contract_change": "miễn phí",
    "contract_end": "miễn phí",
    "suspension": "chi phí ngừng và cấp điện trở lại theo Thông tư 23/2020/TT-BCT",
    "meter_inspection": "kiểm định độc lập: anh/chị trả phí nếu công tơ đúng tiêu chuẩn, Điện lực trả nếu công tơ sai",
    "meter_relocation": "anh/chị trả toàn bộ chi phí di dời, trừ công tơ và thiết bị đóng cắt của Điện lực",
}
SERVICE_FEE_UNKNOWN = "Điện lực báo khi tiếp nhận"
SERVICE_FILED = "Em đã tiếp nhận yêu cầu {service} cho mã KH {code}, mã yêu cầu {request_id}."
SERVICE_ALREADY = (
    "Mã KH {code} đã có yêu cầu {service} đang xử lý: {request_id} ({status}). Em không tạo "
    "thêm yêu cầu trùng."
)
SERVICE_PAPERS = "Giấy tờ cần chuẩn bị: {papers}."
SERVICE_DEADLINE = "Thời gian giải quyết theo tiêu chuẩn dịch vụ của EVN: {deadline}."
SERVICE_DEADLINE_DAYS = "không quá {days} ngày làm việc"
SERVICE_DEADLINE_ON_REQUEST = "theo thời điểm anh/chị đề nghị"
SERVICE_FOLLOW = "Nhân viên Điện lực sẽ liên hệ số điện thoại trong hợp đồng. Nhắn “{request_id}” để xem tiến độ."
SERVICE_UNLINKED = (
    "Để em gửi yêu cầu {service} thay anh/chị, hãy liên kết mã khách hàng trước. Hoặc anh/chị "
    "mang giấy tờ đến phòng giao dịch của Điện lực, hay gọi {hotline}."
)
SERVICE_NOTE = "Yêu cầu qua kênh chat."
SERVICE_NAMES = {
    "new_connection": "cấp điện mới (lắp công tơ mới)",
    "contract_change": "thay đổi hợp đồng mua bán điện",
    "contract_end": "chấm dứt hợp đồng mua bán điện",
    "suspension": "tạm ngừng cấp điện theo yêu cầu",
    "meter_inspection": "kiểm tra, kiểm định công tơ",
    "meter_relocation": "di dời công tơ",
    "incident": "báo mất điện",
    "hazard": "báo nguy hiểm lưới điện",
    "handoff": "hỗ trợ của nhân viên chăm sóc khách hàng",
}
SERVICE_BUTTONS = {
    "new_connection": "Lắp công tơ mới",
    "contract_change": "Thay đổi hợp đồng",
    "contract_end": "Chấm dứt hợp đồng",
    "suspension": "Tạm ngừng cấp điện",
    "meter_inspection": "Kiểm định công tơ",
    "meter_relocation": "Di dời công tơ",
}
SERVICE_PAPER_LISTS = {
    "new_connection": (
        "giấy đề nghị mua điện",
        "giấy tờ tùy thân (CCCD hoặc hộ chiếu)",
        "giấy tờ về địa điểm mua điện (giấy chứng nhận quyền sử dụng đất, hợp đồng mua nhà, "
        "hoặc hợp đồng thuê từ 1 năm kèm đồng ý của chủ nhà)",
    ),
    "contract_change": (
        "giấy đề nghị thay đổi",
        "giấy tờ tùy thân",
        "giấy tờ về địa điểm mua điện (khi đổi tên chủ hợp đồng)",
        "giấy xác nhận số hộ dùng chung (khi đổi định mức)",
    ),
    "contract_end": ("giấy đề nghị chấm dứt hợp đồng", "giấy tờ tùy thân của chủ hợp đồng"),
    "suspension": ("giấy đề nghị tạm ngừng cấp điện (nêu ngày giờ ngừng và cấp lại)",),
    "meter_inspection": ("giấy đề nghị kiểm tra, kiểm định công tơ",),
    "meter_relocation": (
        "giấy đề nghị di dời công tơ",
        "giấy tờ tùy thân",
        "giấy tờ cho phép dùng vị trí mới (khi vị trí mới không thuộc sở hữu của anh/chị)",
    ),
}
BUTTON_REQUEST_STATUS = "Xem tiến độ yêu cầu"
BUTTON_NEW_REQUEST = "Yêu cầu dịch vụ mới"

REQUEST_NOT_FOUND = (
    "Em không tìm thấy yêu cầu {request_id} trong các mã khách hàng đã liên kết với cuộc trò "
    "chuyện này, nên không thể cung cấp thông tin. Nếu đây là yêu cầu của anh/chị, hãy liên kết "
    "mã khách hàng đã gửi yêu cầu, hoặc gọi {hotline}."
)
REQUEST_NONE = "Các mã khách hàng đã liên kết chưa có yêu cầu dịch vụ nào."
REQUEST_HEADER = "Yêu cầu {request_id} – {service} (mã KH {code}): {status}, cập nhật {updated}."
REQUEST_HISTORY_LINE = "  • {time}: {status}{note}"
REQUEST_LATEST = "Các yêu cầu gần đây:"
REQUEST_STATUS_NAMES = {
    "received": "đã tiếp nhận",
    "in_progress": "đang xử lý",
    "waiting_customer": "chờ khách hàng bổ sung",
    "scheduled": "đã hẹn lịch thực hiện",
    "completed": "đã hoàn thành",
    "cancelled": "đã hủy",
    "rejected": "bị từ chối",
    "forwarded": "đã chuyển Điện lực khu vực",
}

SUBSCRIPTION_NAMES = {
    "daily_usage": "tin nhắn điện năng hằng ngày",
    "threshold": "cảnh báo vượt ngưỡng",
    "outage": "thông báo lịch cắt điện",
    "bill": "thông báo hóa đơn",
    "anomaly": "cảnh báo dùng điện bất thường",
}
SUBSCRIBE_ASK_KIND = "Anh/chị muốn nhận thông báo nào?"
SUBSCRIBED = "Đã đăng ký {kind} cho mã KH {code}."
SUBSCRIPTIONS_ACTIVE = "Đang nhận: {active}."
SUBSCRIPTIONS_NONE = "Cuộc trò chuyện này chưa đăng ký nhận thông báo nào."
SUBSCRIPTION_ITEM = "{kind} (mã KH {code})"
UNSUBSCRIBE_ASK = "Anh/chị muốn ngừng nhận thông báo nào?"
UNSUBSCRIBED = "Đã ngừng gửi {kind}."
UNSUBSCRIBED_ALL = "Đã ngừng gửi mọi thông báo định kỳ."
UNSUBSCRIBE_ALL_BUTTON = "Ngừng tất cả"
UNSUBSCRIBE_BUTTON = "Ngừng: {kind}"
ALERT_ASK = (
    "Anh/chị muốn được báo khi nào? Ví dụ: “báo khi dùng quá 20 số một ngày”, “cảnh báo khi "
    "tiền điện vượt 1 triệu”, “báo trước khi sang bậc 4”. Hoặc chọn:"
)
ALERT_ASK_KWH_PERIOD = "Ngưỡng {kwh} là cho mỗi ngày hay cả tháng ạ?"
ALERT_SET = "Em sẽ báo cho mã KH {code} {condition}."
ALERT_REPLACED = "Ngưỡng này thay cho ngưỡng cũ: {old}."
ALERT_KWH_PER_DAY = "khi điện năng một ngày vượt {kwh}"
ALERT_KWH_PER_MONTH = "khi điện năng trong kỳ vượt {kwh}"
ALERT_DONG_PER_MONTH = "khi tiền điện trong kỳ vượt {amount}"
ALERT_BEFORE_TIER = "trước khi điện năng trong kỳ sang bậc {tier}"
ALERT_BAD_TIER = "Giá điện sinh hoạt có 6 bậc; anh/chị chọn bậc từ 2 đến 6 giúp em."
ALERT_TIER_RESIDENTIAL_ONLY = (
    "Mã KH {code} không dùng giá bậc thang sinh hoạt, nên em đặt ngưỡng theo kWh hoặc theo tiền."
)
ALERT_BAD_VALUE = "Ngưỡng phải lớn hơn 0, anh/chị nhắn lại giúp em."
BUTTON_ALERT_PER_DAY = "Mỗi ngày"
BUTTON_ALERT_PER_MONTH = "Cả tháng"
BUTTON_ALERT_TIER = "Trước khi sang bậc {tier}"
BUTTON_ALERT_ANOMALY = "Khi dùng điện bất thường"
BUTTON_MY_SUBSCRIPTIONS = "Thông báo đang nhận"
BUTTON_UNSUBSCRIBE = "Ngừng nhận thông báo"

# --- payment methods and points, calculator, tariff, appliances, reading schedule
# (handlers/payment.py, calculator.py, appliance.py, reading.py) -----------------------------------
PAY_METHODS_HEADER = "Anh/chị có thể thanh toán tiền điện bằng các cách sau:"
PAY_METHODS_LINE = "• {name}: {summary}"
PAY_METHODS_FOOTER = "Cách nào cũng chỉ cần mã khách hàng in trên hóa đơn. Anh/chị hỏi em cụ thể một cách (ví dụ “trả qua MoMo thế nào”) để xem hướng dẫn."
PAY_METHOD_YES = "Dạ được ạ. {name}: {how}"
BUTTON_NEAREST_POINTS = "Điểm thu gần nhất"
BUTTON_PAID_YET = "Đã thanh toán chưa?"
BUTTON_OTHER_METHODS = "Các cách thanh toán khác"

PAY_POINTS_ASK = "Anh/chị muốn tìm điểm thu tiền điện ở đâu? Hãy chia sẻ vị trí, chọn khu vực bên dưới, hoặc nhắn tên phường/xã, tên mới hay tên cũ (ví dụ “điểm thu tiền ở phường Bến Thành”, “ở quận Tân Bình”)."
BUTTON_SHARE_LOCATION = "Chia sẻ vị trí"
PAY_POINTS_IN_AREA = "Điểm thu tiền điện ở {area}:"
PLACE_AREAS = "{place} ({areas})"
PLACE_AREAS_MORE = "{place} ({areas} và {count} khu vực khác)"
PLACE_UNKNOWN = "Em chưa tìm thấy khu vực anh/chị nhắn trong danh sách phường, xã em có (tên mới sau sáp nhập hay tên phường, quận cũ đều được)."
PAY_POINTS_IN_DISTRICT = "Ở {area} chưa có điểm thu; các điểm gần đó ở {district}:"
PAY_POINTS_NONE_IN_AREA = "Em chưa có điểm thu tiền điện nào ở {area}. Anh/chị chia sẻ vị trí để em tìm điểm gần nhất nhé."
PAY_POINTS_NEAREST = "Các điểm thu tiền điện gần anh/chị nhất:"
PAY_POINTS_NONE = "Em chưa có danh sách điểm thu tiền điện. Anh/chị có thể thanh toán trực tuyến qua ngân hàng hoặc ví điện tử."
PAY_POINT_LINE = "{number}. {name} ({kind})\n   {address}\n   Giờ mở cửa: {hours}"
PAY_POINT_DISTANCE = " – cách {distance}"
DISTANCE_METERS = "{meters} m"
DISTANCE_KM = "{km} km"

CALC_HEADER = "Tiền điện {kwh} tháng {month} ({tariff}):"
CALC_TARIFF_RESIDENTIAL = "giá sinh hoạt, {households} hộ"
CALC_TARIFF_OTHER = "giá {group}"
CALC_FOR_CUSTOMER = " theo hợp đồng mã {code}"
CUSTOMER_GROUPS = {
    "residential": "sinh hoạt",
    "business": "kinh doanh",
    "production": "sản xuất",
    "admin_health_education": "hành chính sự nghiệp (bệnh viện, trường học)",
    "admin_public": "hành chính sự nghiệp (chiếu sáng công cộng, cơ quan)",
}
CALC_LINE_TIER = "Bậc {tier}: {kwh} × {price} = {amount}"
CALC_LINE_BAND = "{band}: {kwh} × {price} = {amount}"
CALC_LINE_FLAT = "{kwh} × {price} = {amount}"
CALC_LINE_FROM = " (giá từ {date})"
CALC_BAND_NAMES = {"normal": "Giờ bình thường", "peak": "Giờ cao điểm", "offpeak": "Giờ thấp điểm"}
CALC_SUBTOTAL = "Cộng: {amount}"
CALC_VAT = "Thuế GTGT {rate}: {amount}"
CALC_TOTAL = "Tổng cộng: {amount}"
CALC_ASK = "Anh/chị cho em biết số điện (kWh) cần tính, ví dụ “tính tiền điện 300 số”, hoặc số tiền để em tính ra số điện, ví dụ “tính tiền điện 1 triệu được bao nhiêu số”."
CALC_INVERSE = "Với {money} (đã gồm thuế GTGT {rate}), tháng {month} anh/chị dùng được tối đa {kwh} ({tariff}): tiền điện {kwh} là {total}; dùng thêm 1 kWh sẽ thành {next_total}."
CALC_INVERSE_TOO_LITTLE = "Số tiền {money} chưa đủ cho 1 kWh (1 kWh là {total} đã gồm thuế GTGT)."
CALC_TOO_MUCH = "Số điện hoặc số tiền này quá lớn để em tính trong chat. Anh/chị vui lòng gọi tổng đài {hotline} để được tư vấn."
CALC_FAILED = "Xin lỗi, em chưa tính được tiền điện cho trường hợp này. Anh/chị vui lòng gọi tổng đài {hotline}."
BUTTON_CALC_DETAIL = "Xem chi tiết {kwh}"
BUTTON_TARIFF = "Bảng giá điện"
BUTTON_APPLIANCE = "Thiết bị tốn bao nhiêu điện"

TARIFF_HEADER = (
    "Giá bán lẻ điện sinh hoạt hiện hành ({decision}, áp dụng từ {since}), chưa gồm thuế GTGT:"
)
TARIFF_TIER = "Bậc {tier} ({range}): {price}/kWh"
TARIFF_RANGE = "{low}–{high} kWh"
TARIFF_RANGE_TOP = "từ {low} kWh trở lên"
TARIFF_ONE = "Giá điện sinh hoạt bậc {tier} ({range}): {price}/kWh chưa gồm thuế GTGT, {with_vat}/kWh đã gồm thuế GTGT {rate} ({decision}, áp dụng từ {since})."
TARIFF_NO_SUCH_TIER = "Biểu giá sinh hoạt hiện hành chỉ có {count} bậc:"
TARIFF_VAT_NOTE = "Tiền điện phải trả = tiền điện theo các bậc + thuế GTGT {rate}. Mức bậc tính cho 1 hộ trong một tháng; nhà có nhiều hộ dùng chung công tơ được nhân định mức theo số hộ."
TARIFF_PREPAID = "Công tơ trả trước: {price}/kWh cho mọi kWh."
TARIFF_UNKNOWN = "Xin lỗi, em chưa có biểu giá điện áp dụng cho hôm nay. Anh/chị vui lòng gọi tổng đài {hotline}."

APPLIANCE_HEADER = "{name}: {watts} W{quantity}, dùng {hours} giờ mỗi ngày (ước tính):"
APPLIANCE_QUANTITY = " × {quantity} cái"
APPLIANCE_PER_DAY = "• Mỗi ngày: {kwh}"
APPLIANCE_PER_MONTH = "• Mỗi tháng ({days} ngày): {kwh}"
APPLIANCE_COST = "• Tiền điện tăng thêm khoảng {total} mỗi tháng (đã gồm thuế GTGT)"
APPLIANCE_COST_TIERS = ", tính ở {tiers}"
APPLIANCE_TIER_ONE = "bậc {tier}"
APPLIANCE_TIER_SPAN = "bậc {first}–{last}"
APPLIANCE_BASIS_CUSTOMER = "Em tính theo mức dùng của mã {code}: kỳ hóa đơn {first} – {last} đã dùng {used}, dự kiến cả kỳ khoảng {projected}."
APPLIANCE_BASIS_TYPICAL = "Em tính theo bậc giá của một hộ điển hình dùng {kwh} mỗi tháng; liên kết mã khách hàng để em tính theo đúng bậc giá của nhà mình."
APPLIANCE_BASIS_TYPICAL_LINKED = "Em tính theo bậc giá của một hộ điển hình dùng {kwh} mỗi tháng (chưa có số liệu kỳ này của mã {code})."
APPLIANCE_BASIS_NO_CONSENT = "Em tính theo bậc giá của một hộ điển hình dùng {kwh} mỗi tháng, vì anh/chị đã rút lại đồng ý dùng số liệu để tra cứu."
APPLIANCE_DUTY_ASSUMED = "Em giả định thiết bị chạy hết công suất khoảng {percent}% số giờ dùng (phần còn lại máy chạy nhẹ hoặc tự ngắt, như máy lạnh khi phòng đã đủ lạnh), theo mức điển hình. Nếu máy chạy liên tục hết công suất, anh/chị nhắn kèm “chạy liên tục” hoặc bấm nút “Nếu chạy liên tục”."
APPLIANCE_CONTINUOUS = "Em tính như thiết bị chạy liên tục hết công suất trong suốt số giờ dùng."
BUTTON_APPLIANCE_CONTINUOUS = "Nếu chạy liên tục"
APPLIANCE_SIZE_ASSUMED = "Anh/chị chưa nói công suất nên em tính cho loại phổ biến; nhắn kèm công suất (ví dụ “máy lạnh 1.5HP 8 tiếng”) để em tính sát hơn."
APPLIANCE_ASK = "Anh/chị muốn tính thiết bị nào? Nhắn tên thiết bị, công suất và số giờ dùng mỗi ngày, ví dụ “máy lạnh 1.5HP chạy 8 tiếng”, hoặc chọn bên dưới:"
APPLIANCE_ASK_POWER = "Em chưa có số liệu điển hình của {name}. Anh/chị cho em biết công suất (W, ghi trên nhãn máy) và số giờ dùng mỗi ngày, ví dụ “{name} 1500W 1 tiếng”."
APPLIANCE_AIR_CONDITIONER = "Máy lạnh"

WHAT_READING = "lịch ghi chỉ số công tơ"
READING_DAY = "Công tơ của mã {code} được ghi chỉ số vào ngày {day} hằng tháng."
READING_DAY_LAST = "Công tơ của mã {code} được ghi chỉ số vào ngày cuối mỗi tháng."
READING_THIS_MONTH = "• Tháng này: {date}"
READING_THIS_MONTH_DONE = "• Tháng này: {date} (đã ghi)"
READING_THIS_MONTH_TODAY = "• Tháng này: {date} (hôm nay)"
READING_NEXT_MONTH = "• Tháng sau: {date}"
READING_PERIOD = "Kỳ hóa đơn hiện tại tính điện dùng từ {first} đến hết {last} ({days} ngày); hóa đơn lập theo chỉ số ngày {last}, điện dùng từ {next_first} tính vào kỳ sau."
READING_PRORATE = "Định mức các bậc giá tính cho cả kỳ; nếu ngày ghi chỉ số thay đổi làm kỳ dài hoặc ngắn hơn một tháng, định mức được tính theo số ngày thực tế."
UNSUBSCRIBE_NOT_ACTIVE = "Anh/chị chưa đăng ký {kind}. Các thông báo đang nhận:"

# --- scheduled messages ---------------------------------------------------------------------------
PUSH_DAILY_USAGE = "⚡ {code}: hôm qua ({day}) nhà mình dùng {used}{cost}."
PUSH_DAILY_COST = " (≈ {amount})"
PUSH_DAILY_ESTIMATED = " Số liệu hôm qua là ước tính do công tơ chưa gửi đủ chỉ số."
PUSH_MONTH_TO_DATE = "Từ đầu tháng: {used} trong {days} ngày."
PUSH_PROJECTION = "Dự kiến cả tháng: khoảng {kwh} kWh, tiền điện ≈ {amount}."
PUSH_TIER_WARNING = (
    "⚠️ Còn {left} kWh nữa là sang bậc {tier} (giá {price}/kWh, đắt hơn {extra}/kWh)."
)
PUSH_STOP_BUTTON = "Ngừng nhận tin này"

# --- scheduled alerts and notices (scheduler/alerts.py, scheduler/notices.py) -------------------
ALERT_DAY_OVER = "⚠️ {code}: hôm qua ({day}) nhà mình dùng {used}, vượt ngưỡng {limit}/ngày."
ALERT_MONTH_KWH_OVER = "⚠️ {code}: từ đầu tháng đã dùng {used}, vượt ngưỡng {limit}."
ALERT_MONTH_DONG_OVER = "⚠️ {code}: tiền điện từ đầu tháng đã khoảng {amount}, vượt ngưỡng {limit}."
ALERT_TIER_NEAR = (
    "⚠️ {code}: còn {left} kWh nữa là sang bậc {tier}; dự kiến cả tháng khoảng {projected} kWh."
)
ALERT_TIER_REACHED = "⚠️ {code}: điện năng từ đầu tháng ({used} kWh) đã sang bậc {tier}."
ANOMALY_DOUBLED = (
    "⚠️ {code}: hôm qua ({day}) nhà mình dùng {used}, gần gấp đôi ngày thường ({usual})."
)
ANOMALY_BASE = (
    "⚠️ {code}: {days} ngày qua, ngày dùng ít nhất cũng tới {low}, cao hơn hẳn mức thấp "
    "thường ngày ({usual_low}). Có thiết bị chạy liên tục, hoặc điện rò sau công tơ."
)
ANOMALY_LEAK_SAFETY = (
    "An toàn: tắt hết thiết bị và cầu dao nhánh rồi xem công tơ. Nếu công tơ vẫn chạy, có thể "
    "điện đang rò: đừng chạm vào thiết bị, dây ẩm ướt, và mời thợ điện kiểm tra."
)
ANOMALY_HINT = "Nhắn “kiểm tra điện bất thường” để em xem kỹ hơn."
NOTICE_OUTAGE_ANNOUNCED = (
    "🔌 {code}: trạm {station} sẽ tạm ngừng cấp điện {start} – {end}. Lý do: {reason}."
)
NOTICE_OUTAGE_TOMORROW = "🔌 {code}: ngày mai trạm {station} tạm ngừng cấp điện {start} – {end}."
NOTICE_OUTAGE_SOON = (
    "🔌 {code}: khoảng 1 giờ nữa ({start}) trạm {station} tạm ngừng cấp điện, đến {end}."
)
NOTICE_BILL_NEW = (
    "🧾 {code}: hóa đơn tiền điện {first} – {last}: {kwh}, {amount}. Hạn thanh toán {due}."
)
NOTICE_BILL_DUE = "🧾 {code}: hóa đơn {amount} hết hạn thanh toán ngày {due}, nhà mình chưa trả."
SURVEY_REQUEST = (
    "Yêu cầu {request_id} đã xong. Anh/chị chấm điểm dịch vụ giúp em (1 kém – 5 rất tốt):"
)
SURVEY_CASE = "Anh/chị chấm điểm lần hỗ trợ vừa rồi giúp em (1 kém – 5 rất tốt):"

# --- scheduled messages by ZNS (bot/push/zalo_sender.py) -------------------------------------
ZNS_NOT_PROJECTED = "chưa ước tính"  # a ZNS parameter when the tariff gives no projection

# --- call-centre agents: handoff, case status, surveys (handlers/agent.py, cases.py, survey.py) ---
HANDOFF_OPENED = "Em đã chuyển cuộc trò chuyện đến nhân viên chăm sóc khách hàng (mã hồ sơ {code}). Anh/chị không cần nhắc lại: nhân viên sẽ xem toàn bộ nội dung đã trao đổi và trả lời ngay tại đây."
HANDOFF_WAIT = "Thời gian chờ dự kiến: khoảng {wait}. Trong lúc chờ, anh/chị cứ nhắn thêm thông tin, nhân viên sẽ đọc hết. Cần gấp, anh/chị gọi tổng đài {hotline}. Nhắn /bot để quay lại trò chuyện với trợ lý tự động."
HANDOFF_AFTER_HOURS = "Hiện đang ngoài giờ làm việc của nhân viên trực tuyến ({start}–{end}). Nhân viên sẽ trả lời anh/chị từ {start} {day}. Việc khẩn cấp (mất điện, nguy hiểm lưới điện), anh/chị gọi ngay tổng đài {hotline} (24/7). Nhắn /bot để quay lại trò chuyện với trợ lý tự động."
HANDOFF_ALREADY = "Anh/chị đang chờ nhân viên hỗ trợ (mã hồ sơ {code}). Anh/chị cứ nhắn tiếp, nhân viên sẽ đọc hết. Nhắn /bot để quay lại trò chuyện với trợ lý tự động."
HANDOFF_OFFER = "Anh/chị có muốn gặp nhân viên chăm sóc khách hàng không?"
HANDOFF_OFFER_ABNORMAL = "Em chưa tìm ra nguyên nhân chắc chắn. Anh/chị có muốn gặp nhân viên chăm sóc khách hàng để kiểm tra thêm không?"
HANDOFF_OFFER_STILL = "Nếu anh/chị vẫn thấy chưa hợp lý, em có thể chuyển nhân viên chăm sóc khách hàng kiểm tra thêm. Anh/chị có muốn gặp nhân viên không?"
HANDOFF_OFFER_DECLINED = "Dạ vâng. Anh/chị cần gì thêm cứ nhắn em nhé."
BUTTON_OFFER_YES = "Có, gặp nhân viên"
BUTTON_OFFER_NO = "Không cần"
WAITING_POSITION = "Anh/chị đang chờ nhân viên (hồ sơ {code}, thứ {position} trong hàng chờ); nhân viên sẽ đọc cả tin nhắn này. Trong lúc chờ, em vẫn tra cứu được hóa đơn, điện năng, lịch cắt điện, giá điện. Nhắn /bot hoặc bấm nút bên dưới để quay lại trò chuyện với trợ lý tự động."
WAITING_AFTER_HOURS = "Anh/chị đang chờ nhân viên (hồ sơ {code}). Nhân viên trực tuyến làm việc {start}–{end} và sẽ trả lời từ {start} {day}; nhân viên sẽ đọc cả tin nhắn này. Việc khẩn cấp, anh/chị gọi tổng đài {hotline}. Nhắn /bot hoặc bấm nút bên dưới để quay lại trò chuyện với trợ lý tự động."
BUTTON_BACK_TO_BOT = "Quay lại trợ lý tự động"
HANDOFF_TODAY = "hôm nay"
HANDOFF_TOMORROW = "ngày mai"
HANDOFF_ON_DAY = "ngày {date}"
WAIT_MINUTES = "{minutes} phút"
WAIT_HOURS = "{hours} giờ"
WAIT_HOURS_MINUTES = "{hours} giờ {minutes} phút"
HANDOFF_NOTE = "Khách hàng cần gặp nhân viên chăm sóc khách hàng qua kênh trò chuyện."
HANDOFF_LEFT = "Khách hàng quay lại trò chuyện với trợ lý tự động."
CASE_CLAIMED = "Nhân viên {agent} đang hỗ trợ anh/chị."
# Who writes an agent's reply: the web chat's label, the first line on Telegram and Zalo.
AGENT_AUTHOR = "Nhân viên {agent}"
AGENT_SIGNED = AGENT_AUTHOR + ":\n{text}"
CASE_STATUS = "Hồ sơ {code} của anh/chị: {status}.{note}"
CASE_STATUS_NOTE = " {note}"
CASE_FORWARDED_NOTE = "Đã chuyển {unit} xử lý."
CASE_CLOSED = "Nhân viên đã hoàn tất hồ sơ {code} ({resolution}). Cảm ơn anh/chị đã liên hệ. Em (trợ lý tự động) tiếp tục hỗ trợ anh/chị tại đây."
CASE_RESOLUTIONS = {
    "resolved": "đã giải quyết",
    "information": "đã cung cấp thông tin",
    "forwarded": "đã chuyển Điện lực xử lý",
    "duplicate": "trùng hồ sơ khác",
    "no_response": "khách hàng không phản hồi",
    "cancelled": "hủy theo yêu cầu",
}
SURVEY_ASK = "Anh/chị đánh giá thế nào về sự hỗ trợ cho hồ sơ {code}? Chọn từ 1 (rất không hài lòng) đến 5 (rất hài lòng):"
SURVEY_SCORE_LABELS = ("1 😞", "2", "3", "4", "5 😊")
SURVEY_THANKS = "Cảm ơn anh/chị đã đánh giá {score}/5. Anh/chị có góp ý gì thêm không? Nhắn góp ý ngay tại đây, hoặc nhắn /huy nếu không có."
SURVEY_COMMENT_THANKS = "Em đã ghi nhận góp ý của anh/chị. Cảm ơn anh/chị!"
SURVEY_UNKNOWN = "Khảo sát này không còn hiệu lực. Cảm ơn anh/chị!"

# --- the Telegram agent group: one forum topic per case (bot/telegram/agent_group.py) ---------
AGENT_TOPIC_NAME = "{code} · {name} · {guess}"
AGENT_TOPIC_NO_NAME = "khách chưa liên kết"
AGENT_TOPIC_NO_GUESS = "chưa rõ nhu cầu"
AGENT_TOPIC_SUMMARY = (
    "Hồ sơ {code}: khách hàng cần nhân viên hỗ trợ\n"
    "Khách hàng: {name}\n"
    "Mã khách hàng: {codes}\n"
    "Kênh: {channel} · Lý do: {reason}\n"
    "Bot đoán khách cần: {guess}\n"
    "Đơn vị: {unit} · Hạn xử lý: {due}\n"
    "\n"
    "Trao đổi gần đây:\n"
    "{transcript}\n"
    "\n"
    "Tin nhắn anh/chị viết trong chủ đề này được gửi cho khách hàng. Lệnh: /claim nhận hồ sơ, "
    "/note <nội dung> ghi chú nội bộ, /close <kết quả> đóng hồ sơ, /bot trả khách về trợ lý "
    "tự động."
)
AGENT_TOPIC_NO_TRANSCRIPT = "(chưa có tin nhắn)"
AGENT_TOPIC_NO_DUE = "không có"
AGENT_TOPIC_AUTHORS = {
    "customer": "Khách",
    "bot": "Trợ lý",
    "agent": "NV {agent}",
    "note": "Ghi chú",
    "event": "Thao tác",
}
AGENT_TOPIC_CUSTOMER_LINE = "Khách: {text}"
AGENT_TOPIC_EVENT_LINE = "📌 {text}"  # a transfer made in the web console
AGENT_TOPIC_FILE_LINK = "Tệp khách gửi: {url}"
AGENT_FILE_TELEGRAM_ONLY = (
    "Khách hàng không dùng Telegram: tệp không gửi được, anh/chị vui lòng trả lời bằng chữ."
)
AGENT_TOPIC_CHANNELS = {"telegram": "Telegram", "zalo": "Zalo", "web": "trò chuyện trên web"}
AGENT_TOPIC_REASONS = {
    "asked": "khách yêu cầu",
    "misunderstood": "trợ lý không hiểu",
    "abnormal": "điện năng bất thường",
    "hazard": "báo nguy hiểm",
}
# What a customer asked for, in words, for agents (the console's header, the Telegram topic):
# one label per `nlu.Intent`, keyed by its value (tests/handlers/test_texts.py checks them all).
INTENT_LABELS = {
    "greet": "chào hỏi",
    "help": "hỏi cách dùng",
    "thanks": "cảm ơn",
    "usage_query": "tra cứu điện năng tiêu thụ",
    "bill_query": "tra cứu hóa đơn",
    "payment_status": "tình trạng thanh toán",
    "payment_methods": "cách thanh toán",
    "payment_points": "điểm thu tiền điện",
    "payment_pay": "thanh toán tiền điện",
    "bill_calculate": "tính tiền điện",
    "appliance_estimate": "ước tính điện của thiết bị",
    "tariff_info": "giá điện",
    "outage_schedule": "lịch cắt điện",
    "outage_report": "báo mất điện",
    "outage_restoration": "hỏi giờ có điện lại",
    "reading_schedule": "lịch ghi chỉ số",
    "abnormal_usage": "điện năng tăng bất thường",
    "service_request": "yêu cầu dịch vụ",
    "request_status": "tình trạng yêu cầu",
    "account_link": "liên kết tài khoản",
    "account_unlink": "hủy liên kết",
    "notify_subscribe": "đăng ký thông báo",
    "notify_unsubscribe": "hủy thông báo",
    "usage_alert": "cảnh báo điện năng",
    "talk_to_agent": "gặp nhân viên",
    "unknown": "chưa rõ nhu cầu",
}
AGENT_GROUP_CLAIMED = "{agent} đã nhận hồ sơ {code}."
AGENT_GROUP_NOTE_SAVED = "Đã lưu ghi chú nội bộ (khách hàng không thấy)."
AGENT_GROUP_NOTE_USAGE = "Cú pháp: /note <nội dung ghi chú>."
AGENT_GROUP_CLOSE_USAGE = "Cú pháp: /close <kết quả>. Kết quả: {choices}."
AGENT_GROUP_COMMANDS = (
    "Lệnh trong chủ đề hồ sơ: /claim, /note <nội dung>, /close <kết quả>, /bot. "
    "Tin nhắn thường được gửi cho khách hàng."
)
AGENT_GROUP_REFUSED = "Không thực hiện được: {reason}"
AGENT_GROUP_TOPIC_CLOSED = "Hồ sơ {code} đã đóng ({resolution}). Chủ đề này được đóng lại."
AGENT_GROUP_COMMAND_CLAIM = "Nhận hồ sơ của chủ đề này"
AGENT_GROUP_COMMAND_NOTE = "Ghi chú nội bộ: /note <nội dung>"
AGENT_GROUP_COMMAND_CLOSE = "Đóng hồ sơ: /close <kết quả>"
AGENT_GROUP_COMMAND_BOT = "Trả khách hàng về trợ lý tự động (đóng hồ sơ)"
AGENT_GROUP_CUSTOMER_LEFT = (
    "khách hàng quay lại trợ lý tự động"  # the case's resolution "customer_left"
)
ATTACHMENT_NAMES = {
    "photo": "ảnh",
    "document": "tệp",
    "voice": "tin nhắn thoại",
    "video": "video",
    "sticker": "nhãn dán",
}  # by AttachmentKind: how a file is named to the customer and in the transcripts
ATTACHMENT_LINE = "[{what}]"  # a file in the agents' transcript and the conversation log
ATTACHMENT_UNREAD = (
    "Em chưa xem được {what} anh/chị gửi. Anh/chị nhắn bằng chữ giúp em nhé, hoặc bấm "
    "“Gặp nhân viên” rồi gửi lại để nhân viên chăm sóc khách hàng xem. Nếu là sự cố nguy hiểm "
    "(dây điện đứt, chập cháy), anh/chị gọi ngay tổng đài {hotline} (24/7)."
)
STICKER_REPLY = "Em có thể giúp gì cho anh/chị ạ? Anh/chị chọn một mục bên dưới nhé:"

# --- hotlines by corporation (handlers/hotlines.py, ConversationConfig.hotline_for) ------------
HOTLINE_ITEM = "{name} {number}"
# In place of a number when the customer's corporation is not known: every one, by name.
HOTLINES_ANY = "của Tổng công ty Điện lực nơi anh/chị ở: {hotlines}"

# --- when the power is back: outage_restoration (handlers/restoration.py) ----------------------
WHAT_RESTORATION = "tình hình cấp điện của nhà mình"
RESTORE_PLACE_STATION = "trạm {station}"
RESTORE_PLACE_AREA = "khu vực {area}"
RESTORE_PLANNED_NOW = (
    "Điện lực đang tạm ngừng cấp điện {place} theo kế hoạch ({reason}) từ {start}, dự kiến có "
    "điện lại lúc {end}."
)
RESTORE_PLANNED_SOON = (
    "Điện lực sắp tạm ngừng cấp điện {place} theo kế hoạch ({reason}) từ {start} đến {end}: dự "
    "kiến có điện lại lúc {end}."
)
RESTORE_OWN_REPORT = (
    "Báo sự cố {request_id} của mã KH {code} (lúc {time}): {status}, cập nhật {updated}."
)
RESTORE_EXPECTED = "Điện lực dự kiến có điện lại lúc {time}."
RESTORE_NO_ESTIMATE = "Điện lực chưa báo giờ có điện lại; anh/chị hỏi lại em sau ít phút nhé."
RESTORE_REPORT_CLOSED = (
    "Điện lực đã xử lý xong báo sự cố này. Nếu nhà mình vẫn chưa có điện, anh/chị bấm “Báo mất "
    "điện” để em báo lại."
)
RESTORE_STATION_REPORTS = (
    "Trong 24 giờ qua có thêm {count} báo mất điện khác ở {place}, Điện lực đang xử lý"
)
RESTORE_STATION_EXPECTED = ", dự kiến có điện lại lúc {time}"
RESTORE_REPORT_OFFER = (
    "Nếu nhà mình đang mất điện, anh/chị bấm “Báo mất điện” để em ghi nhận cho Điện lực."
)
RESTORE_UNKNOWN = (
    "Em chưa có thông tin về lịch cắt điện hay sự cố nào ở {place} của mã KH {code} lúc này, nên "
    "chưa biết khi nào có điện lại. Nếu nhà mình đang mất điện, anh/chị bấm “Báo mất điện” để em "
    "ghi nhận cho Điện lực kiểm tra; cần gấp, anh/chị gọi tổng đài {hotline}."
)
RESTORE_UNLINKED = (
    "Để biết khi nào nhà mình có điện lại, anh/chị liên kết mã khách hàng: em sẽ xem lịch cắt "
    "điện của trạm biến áp nhà mình và các báo sự cố ở đó."
)
RESTORE_HOTLINES = (
    "Cần gấp, anh/chị gọi tổng đài của Tổng công ty Điện lực theo hai chữ cái đầu của mã khách "
    "hàng: {rules}. Xem lịch cắt điện theo khu vực: bấm “Lịch cắt điện”."
)
HOTLINE_RULE = "{prefixes}: {name} {number}"
RESTORE_AREA_NONE = "{area} không có lịch tạm ngừng cấp điện nào lúc này."

# --- conversation: the NLU unsure between two intents asks which one --------------------------
CLARIFY_QUESTION = "Anh/chị muốn {first} hay {second}?"
# What each intent does, as the end of "Anh/chị muốn ...?" and (capitalised) on its button.
CLARIFY_CHOICES = {
    "usage_query": "xem điện năng tiêu thụ",
    "bill_query": "xem hóa đơn tiền điện",
    "payment_status": "kiểm tra đã đóng tiền điện chưa",
    "payment_pay": "thanh toán tiền điện ngay",
    "payment_methods": "xem các cách thanh toán",
    "payment_points": "tìm điểm thu tiền điện",
    "bill_calculate": "tính tiền điện theo số kWh",
    "appliance_estimate": "ước tính điện của một thiết bị",
    "tariff_info": "xem giá điện",
    "outage_schedule": "xem lịch cắt điện",
    "outage_report": "báo mất điện",
    "outage_restoration": "biết khi nào có điện lại",
    "reading_schedule": "xem lịch ghi chỉ số",
    "abnormal_usage": "báo tiền điện tăng bất thường",
    "service_request": "gửi yêu cầu dịch vụ điện",
    "request_status": "xem tiến độ yêu cầu đã gửi",
    "account_link": "liên kết mã khách hàng",
    "account_unlink": "hủy liên kết mã khách hàng",
    "notify_subscribe": "nhận thông báo hằng ngày",
    "notify_unsubscribe": "ngừng nhận thông báo",
    "usage_alert": "đặt cảnh báo khi dùng vượt ngưỡng",
    "talk_to_agent": "gặp nhân viên",
    "help": "xem các chức năng của em",
}
