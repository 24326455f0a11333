"""Demo submissions in every state, so that a newcomer's pages are not empty.

Every item goes through the domain service (submit → assign → accept → answer → close), so it has the
same events as a real one; only the clock is simulated. The text is built from per-field templates in
Vietnamese, the senders look like the people of Điện Biên (Kinh, Thái, Mông, Hà Nhì names; businesses,
cooperatives and mass organisations), and the dates are spread over the past ~90 days, with agency
actions in office hours on working days and never in the future.

Deterministic for a given ``rng_seed``: the same titles in the same order (tracking codes are random).
"""

import math
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session, col, select

from app.accounts.models import Account, Role
from app.agencies.models import Agency, Commune, Field
from app.db import utcnow
from app.kinds import Channel, Kind, Priority, SenderType, State
from app.routing.engine import RoutingInput, RuleSpec, decide
from app.routing.service import load_rule_specs
from app.seed.reference import COORDINATOR_USERNAME
from app.sla.calendar import DEFAULT_CALENDAR, LOCAL_TZ
from app.submissions import service
from app.submissions.schemas import SubmissionCreate
from app.text import fold

FB, PT, IN, SL = Kind.FEEDBACK, Kind.PETITION, Kind.INITIATIVE, Kind.SOLUTION

# Share of the final states ("only where routing allows": triage needs a field no rule routes).
STATE_MIX = [
    (State.TRIAGE, 0.15),
    (State.ASSIGNED, 0.20),
    (State.IN_PROGRESS, 0.25),
    (State.ANSWERED, 0.25),
    (State.CLOSED, 0.15),
]
KIND_MIX = [(FB, 0.40), (PT, 0.25), (IN, 0.20), (SL, 0.15)]
# Matters people raise most often come up a little more.
FREQUENT_FIELDS = ["dvc-tthc", "ha-tang-so", "xa-hoi-so", "nong-nghiep-so"]
MAX_AGE = timedelta(days=89)


@dataclass(frozen=True)
class Topic:
    kind: Kind
    title: str
    body: str
    answer: str
    # Where the coordinator sends it when no rule routes it: an agency code, or "@xa" for the
    # People's Committee of the item's commune. None: the field's usual owner, else Sở KHCN.
    agency: str | None = None


# Placeholders: {xa} "xã Mường Nhé", {Xa} "Xã Mường Nhé", {xa_ten} "Mường Nhé", {ban} "bản Huổi Lếch"
# (or "tổ dân phố 3" in a phường), {Ban}, {mang}, {thu_tuc}, {nong_san}, {di_tich}, {tieng}, {n} (2–9).
TOPICS: dict[str, list[Topic]] = {
    "khcn": [
        Topic(FB, "Kết quả đề tài giống lúa chịu hạn chưa được chuyển giao cho bà con {xa}",
              "Năm ngoái, mô hình trồng thử nghiệm giống lúa chịu hạn được triển khai tại {ban}, {xa} cho "
              "năng suất tốt, bà con rất phấn khởi. Tuy nhiên đến nay chưa có ai hướng dẫn nhân rộng, bà con "
              "cũng không biết mua giống ở đâu, có được hỗ trợ hay không.",
              "Đơn vị đã làm việc với tổ chức chủ trì đề tài. Giống lúa chịu hạn đã được đưa vào danh mục "
              "tiến bộ kỹ thuật được nhân rộng trong năm nay; Trung tâm Khoa học và Đổi mới sáng tạo sẽ tổ "
              "chức tập huấn kỹ thuật tại {xa} trong quý tới và hỗ trợ 50% chi phí giống cho các hộ tham gia "
              "mô hình. Các hộ có nhu cầu đăng ký với UBND {xa}."),
        Topic(FB, "Trạm đo mưa tự động tại {ban}, {xa} không cập nhật số liệu",
              "Trạm đo mưa tự động đặt tại {ban} đã {n} tuần nay không hiển thị số liệu trên trang cảnh báo "
              "thiên tai. Đang vào mùa mưa lũ, khu vực có nguy cơ sạt lở, bà con rất lo lắng vì không nắm "
              "được cảnh báo sớm.",
              "Qua kiểm tra, trạm ngừng truyền số liệu do hỏng bộ lưu điện và tấm pin năng lượng mặt trời. "
              "Thiết bị đã được thay thế, trạm hoạt động trở lại và số liệu đã được cập nhật đầy đủ trên hệ "
              "thống cảnh báo thiên tai của tỉnh."),
        Topic(PT, "Kiến nghị công khai danh mục nhiệm vụ khoa học và công nghệ cấp tỉnh đang tuyển chọn",
              "Người dân, hợp tác xã và doanh nghiệp nhỏ ở vùng cao rất khó tiếp cận thông tin về các nhiệm "
              "vụ khoa học và công nghệ cấp tỉnh đang tuyển chọn. Đề nghị đăng danh mục, hồ sơ mẫu và thời "
              "hạn nộp trên cổng thông tin điện tử và gửi về UBND các xã, phường để thông báo rộng rãi.",
              "Danh mục nhiệm vụ khoa học và công nghệ cấp tỉnh đặt hàng năm nay đã được đăng tải tại Cổng "
              "thông tin điện tử của Sở Khoa học và Công nghệ, mục “Nhiệm vụ KH&CN”. Từ đợt tuyển chọn tới, "
              "thông báo sẽ được gửi đến UBND 45 xã, phường và đăng trên trang mạng xã hội chính thức của Sở."),
        Topic(IN, "Sáng kiến tủ sách và thư viện video kỹ thuật tại nhà văn hóa {ban}",
              "Đề xuất mỗi nhà văn hóa bản có một tủ sách khoa học kỹ thuật kèm mã QR dẫn tới video hướng "
              "dẫn chăn nuôi, trồng trọt bằng tiếng Thái, tiếng Mông, để bà con tự học vào buổi tối và những "
              "lúc nông nhàn.",
              "Sáng kiến có tính khả thi và phù hợp với điều kiện vùng cao. Đơn vị sẽ phối hợp với UBND {xa} "
              "chọn {ban} làm điểm thí điểm, cung cấp bộ sách phổ biến kiến thức và thư viện video có phụ đề "
              "tiếng dân tộc; sau 6 tháng sẽ đánh giá để nhân rộng."),
        Topic(SL, "Giải pháp máy sấy nông sản dùng năng lượng mặt trời quy mô hộ gia đình",
              "Chúng tôi đã chế tạo máy sấy dùng tấm thu nhiệt mặt trời kết hợp quạt điện nhỏ, chi phí khoảng "
              "8 triệu đồng, mỗi mẻ sấy được 50 kg măng hoặc thảo quả, phù hợp với các bản chưa có điện lưới "
              "ổn định. Máy đã chạy thử {n} tháng tại {ban}.",
              "Hội đồng tư vấn đã xem xét hồ sơ giải pháp. Giải pháp có tính mới, chi phí thấp và khả năng "
              "ứng dụng rộng ở các xã vùng cao. Đề nghị tác giả hoàn thiện hồ sơ kỹ thuật để tham gia Chương "
              "trình hỗ trợ ứng dụng, chuyển giao tiến bộ khoa học và công nghệ của tỉnh năm tới."),
    ],
    "dmst-khoi-nghiep": [
        Topic(FB, "Khó tiếp cận thông tin hỗ trợ khởi nghiệp cho thanh niên {xa}",
              "Nhiều bạn trẻ ở {xa} muốn khởi nghiệp từ sản phẩm địa phương như {nong_san} nhưng không biết "
              "tìm thông tin về các chương trình hỗ trợ, vốn vay ưu đãi hay khóa đào tạo ở đâu. Các thông báo "
              "chủ yếu đăng trên trang web, thanh niên vùng cao ít khi truy cập.",
              "Trung tâm Khoa học và Đổi mới sáng tạo đã mở chuyên mục “Hỗ trợ khởi nghiệp” trên trang thông "
              "tin điện tử và nhóm Zalo “Khởi nghiệp Điện Biên” để cập nhật các chương trình hỗ trợ. Trong "
              "tháng tới, Trung tâm phối hợp với Tỉnh đoàn tổ chức buổi tư vấn trực tiếp tại {xa}; thời gian "
              "cụ thể sẽ được thông báo trên loa truyền thanh của xã."),
        Topic(FB, "Hồ sơ đề nghị hỗ trợ ươm tạo dự án khởi nghiệp còn nhiều giấy tờ",
              "Hồ sơ đề nghị hỗ trợ ươm tạo yêu cầu nhiều giấy tờ bản giấy và phải nộp trực tiếp tại phường "
              "Điện Biên Phủ. Nhóm chúng tôi ở {xa}, đi lại mất gần một ngày, mỗi lần thiếu một giấy tờ lại "
              "phải đi thêm một chuyến.",
              "Đơn vị tiếp thu ý kiến. Từ đợt tuyển chọn tới, hồ sơ đề nghị hỗ trợ ươm tạo được nhận trực "
              "tuyến qua Cổng dịch vụ công và thư điện tử; biểu mẫu được rút gọn còn 3 thành phần, bản giấy "
              "chỉ cần nộp khi ký hợp đồng hỗ trợ."),
        Topic(PT, "Kiến nghị tổ chức cuộc thi ý tưởng khởi nghiệp đổi mới sáng tạo hằng năm",
              "Đề nghị tỉnh tổ chức cuộc thi ý tưởng khởi nghiệp hằng năm, có bảng riêng cho học sinh, sinh "
              "viên và hợp tác xã vùng cao, có giải thưởng và hỗ trợ ươm tạo cho ý tưởng đạt giải, để khơi dậy "
              "phong trào đổi mới sáng tạo trong thanh niên.",
              "Cuộc thi “Ý tưởng khởi nghiệp đổi mới sáng tạo tỉnh Điện Biên” đã được đưa vào kế hoạch năm "
              "nay, có bảng dành cho học sinh, sinh viên và bảng dành cho hợp tác xã. Thể lệ sẽ được công bố "
              "trong quý III; các ý tưởng đạt giải được hỗ trợ ươm tạo trong 12 tháng."),
        Topic(IN, "Sáng kiến cải tạo trụ sở cũ tại {xa} thành không gian làm việc chung cho khởi nghiệp",
              "Sau khi sắp xếp đơn vị hành chính, một số trụ sở cũ tại {xa} đang bỏ trống. Đề xuất cải tạo "
              "một phần làm không gian làm việc chung có internet, máy in, phòng họp nhỏ cho các nhóm khởi "
              "nghiệp, hợp tác xã và thanh niên sử dụng miễn phí.",
              "Sáng kiến phù hợp với chủ trương sử dụng hiệu quả trụ sở dôi dư sau sắp xếp. Đơn vị đã đề xuất "
              "UBND tỉnh xem xét đưa trụ sở cũ tại {xa} vào phương án sử dụng làm không gian đổi mới sáng tạo "
              "cộng đồng; kết quả sẽ được thông báo khi có quyết định."),
        Topic(SL, "Giải pháp nền tảng kết nối nhà đầu tư với dự án khởi nghiệp nông nghiệp Điện Biên",
              "Chúng tôi đã phát triển một nền tảng web đơn giản cho phép các dự án khởi nghiệp nông nghiệp "
              "đăng thông tin sản phẩm, sản lượng, nhu cầu vốn, và cho nhà đầu tư, doanh nghiệp bao tiêu tìm "
              "kiếm, liên hệ. Nền tảng chạy tốt trên điện thoại cấu hình thấp và mạng 3G.",
              "Giải pháp được đánh giá có khả năng hỗ trợ kết nối hệ sinh thái khởi nghiệp của tỉnh. Đơn vị "
              "mời nhóm tác giả trình bày tại phiên kết nối cung – cầu công nghệ sắp tới và xem xét tích hợp "
              "vào Sàn giao dịch công nghệ của tỉnh."),
    ],
    "chinh-quyen-so": [
        Topic(FB, "Trang thông tin điện tử của {xa} không cập nhật thông báo",
              "Trang thông tin điện tử của {xa} đã {n} tháng không đăng lịch tiếp công dân, thông báo tuyển "
              "dụng hay kế hoạch sản xuất. Người dân muốn biết thông tin phải lên tận trụ sở để hỏi.",
              "Đơn vị đã đôn đốc UBND {xa} phân công công chức phụ trách cập nhật trang thông tin điện tử. Từ "
              "nay, lịch tiếp công dân và các thông báo được cập nhật hằng tuần; việc cập nhật được đưa vào "
              "tiêu chí đánh giá chuyển đổi số cấp xã."),
        Topic(FB, "Không nhận được thông báo kết quả xử lý qua ứng dụng Điện Biên Smart",
              "Tôi gửi yêu cầu qua ứng dụng Điện Biên Smart đã lâu nhưng không nhận được thông báo nào, vào "
              "xem thì trạng thái vẫn là “đang xử lý”. Đề nghị kiểm tra tính năng thông báo của ứng dụng.",
              "Qua kiểm tra, một số điện thoại Android tự tắt quyền nhận thông báo của ứng dụng sau khi cập "
              "nhật hệ điều hành. Đơn vị đã phát hành phiên bản mới có hướng dẫn bật lại thông báo; đề nghị "
              "Ông/Bà cập nhật ứng dụng lên phiên bản mới nhất."),
        Topic(PT, "Kiến nghị tích hợp lịch tiếp công dân của các xã, phường lên ứng dụng Điện Biên Smart",
              "Đề nghị tích hợp lịch tiếp công dân và số điện thoại đường dây nóng của các xã, phường lên ứng "
              "dụng Điện Biên Smart để người dân tra cứu nhanh, không phải gọi hỏi nhiều nơi.",
              "Kiến nghị đã được tiếp thu. Chức năng tra cứu lịch tiếp công dân và đường dây nóng của 45 xã, "
              "phường đã được đưa vào kế hoạch nâng cấp ứng dụng Điện Biên Smart, dự kiến hoàn thành trong "
              "quý tới."),
        Topic(IN, "Sáng kiến họp giao ban trực tuyến giữa {xa} và các bản vùng sâu",
              "Nhiều bản cách trung tâm {xa} hàng chục cây số đường đồi núi. Đề xuất trang bị điện thoại thông "
              "minh và gói dữ liệu cho trưởng bản để dự họp giao ban trực tuyến hằng tuần, giảm đi lại, nhất "
              "là vào mùa mưa.",
              "Sáng kiến thiết thực, phù hợp với địa bàn rộng, chia cắt. Đơn vị sẽ hướng dẫn UBND {xa} thí điểm "
              "họp trực tuyến với trưởng bản trên nền tảng họp trực tuyến của tỉnh; kinh phí gói dữ liệu được "
              "xem xét trong dự toán chuyển đổi số năm tới."),
        Topic(SL, "Giải pháp ký số từ xa cho lãnh đạo và công chức cấp xã",
              "Chúng tôi đề xuất triển khai chữ ký số từ xa trên điện thoại cho lãnh đạo, công chức cấp xã, "
              "kết nối với hệ thống quản lý văn bản của tỉnh, để văn bản vẫn được ký và phát hành khi cán bộ "
              "đi công tác ở bản.",
              "Giải pháp phù hợp với định hướng phát triển chính quyền số của tỉnh. Chữ ký số từ xa đang được "
              "cấp cho cán bộ, công chức theo chương trình của Ban Cơ yếu Chính phủ; đơn vị sẽ tổ chức hướng "
              "dẫn sử dụng cho cán bộ cấp xã và mời nhóm tác giả góp ý quy trình."),
    ],
    "dvc-tthc": [
        Topic(FB, "Cổng dịch vụ công báo lỗi khi nộp hồ sơ {thu_tuc}",
              "Khi nộp hồ sơ {thu_tuc} trực tuyến, đến bước tải tệp đính kèm thì hệ thống báo lỗi và không "
              "lưu được hồ sơ. Tôi đã thử {n} lần vào các buổi khác nhau nhưng vẫn không được.",
              "Qua kiểm tra cùng Trung tâm Phục vụ hành chính công tỉnh, lỗi phát sinh do tệp đính kèm vượt "
              "dung lượng cho phép (10 MB). Hệ thống đã bổ sung thông báo hướng dẫn giảm dung lượng ảnh chụp; "
              "công chức bộ phận một cửa đã liên hệ, hướng dẫn Ông/Bà hoàn thành hồ sơ."),
        Topic(FB, "Hồ sơ {thu_tuc} nộp trực tuyến quá hẹn chưa có kết quả",
              "Tôi nộp hồ sơ {thu_tuc} trực tuyến, phiếu hẹn trả kết quả đã quá {n} ngày làm việc nhưng chưa "
              "nhận được kết quả, cũng không có thông báo lý do chậm.",
              "Hồ sơ của Ông/Bà chậm do phải xác minh thông tin với cơ quan khác; bộ phận một cửa chưa gửi "
              "phiếu xin lỗi và hẹn lại ngày trả kết quả là thiếu sót. Đơn vị đã chấn chỉnh công chức liên "
              "quan; hồ sơ đã có kết quả và được trả qua dịch vụ bưu chính công ích."),
        Topic(FB, "Bộ phận một cửa yêu cầu nộp lại bản giấy dù đã nộp hồ sơ trực tuyến",
              "Tôi đã nộp hồ sơ {thu_tuc} trực tuyến đầy đủ, nhưng khi đến nhận kết quả tại {xa}, cán bộ yêu "
              "cầu nộp lại toàn bộ bản giấy có chứng thực. Như vậy nộp trực tuyến không giảm được việc đi lại.",
              "Theo quy định, hồ sơ nộp trực tuyến hợp lệ không phải nộp lại bản giấy, trừ giấy tờ phải đối "
              "chiếu bản chính khi nhận kết quả. Đơn vị đã nhắc nhở công chức liên quan và niêm yết công khai "
              "hướng dẫn này tại bộ phận một cửa."),
        Topic(PT, "Kiến nghị bố trí máy tính và người hỗ trợ nộp hồ sơ trực tuyến tại {xa}",
              "Nhiều người dân ở {xa}, nhất là người cao tuổi và đồng bào dân tộc thiểu số, chưa biết tự nộp "
              "hồ sơ trực tuyến. Đề nghị bố trí máy tính, máy quét và một người hướng dẫn thường trực tại bộ "
              "phận một cửa.",
              "Đơn vị đã bố trí một máy tính, một máy quét tài liệu và phân công thành viên Tổ công nghệ số "
              "cộng đồng trực hỗ trợ người dân nộp hồ sơ trực tuyến vào sáng thứ Hai, thứ Tư và thứ Sáu hằng "
              "tuần tại bộ phận một cửa."),
        Topic(IN, "Sáng kiến hỗ trợ làm thủ tục tại nhà văn hóa {ban} vào ngày chợ phiên",
              "Đề xuất Tổ công nghệ số cộng đồng mang máy tính bảng đến nhà văn hóa bản vào ngày chợ phiên, "
              "hướng dẫn và nộp hộ hồ sơ trực tuyến cho bà con, để bà con không phải xuống trung tâm {xa}.",
              "Sáng kiến được đánh giá cao. Từ tháng tới, Tổ công nghệ số cộng đồng sẽ hỗ trợ làm thủ tục "
              "trực tuyến tại nhà văn hóa {ban} vào ngày chợ phiên, hai tuần một lần; lịch cụ thể được thông "
              "báo qua trưởng bản."),
        Topic(SL, "Giải pháp nhắn tin SMS báo lịch trả kết quả thủ tục hành chính",
              "Chúng tôi đề xuất kết nối hệ thống một cửa điện tử với tổng đài tin nhắn để tự động nhắn tin "
              "cho người dân khi hồ sơ có kết quả hoặc bị chậm, kèm mã tra cứu, vì nhiều bà con không dùng "
              "điện thoại thông minh.",
              "Hệ thống thông tin giải quyết thủ tục hành chính của tỉnh đã có chức năng gửi tin nhắn SMS, "
              "đang được kích hoạt dần cho các xã, phường. Đơn vị đã đề nghị kích hoạt cho địa bàn trong tháng "
              "này và ghi nhận các góp ý về nội dung tin nhắn."),
    ],
    "ha-tang-so": [
        Topic(FB, "Sóng 4G yếu tại {ban}, {xa}",
              "Khu vực {ban} chỉ có sóng 2G chập chờn, muốn gọi điện phải lên đồi cao. Học sinh không học trực "
              "tuyến được, bà con không dùng được ứng dụng ngân hàng và VNeID.",
              "Đơn vị đã đề nghị {mang} khảo sát vùng phủ sóng tại {ban}. Trạm phát sóng 4G mới tại khu vực đã "
              "được đưa vào danh mục đầu tư thuộc Chương trình cung cấp dịch vụ viễn thông công ích, dự kiến "
              "phát sóng trong quý tới; trước mắt, {mang} đã điều chỉnh hướng anten của trạm gần nhất để cải "
              "thiện chất lượng sóng."),
        Topic(FB, "Mất sóng điện thoại kéo dài sau mưa lũ tại {xa}",
              "Sau trận mưa lớn vừa qua, khu vực {ban} và các bản lân cận mất sóng điện thoại {n} ngày liền, "
              "bà con không liên lạc được với chính quyền để báo tình hình sạt lở.",
              "Nguyên nhân mất sóng là tuyến cáp quang truyền dẫn bị đứt tại điểm sạt lở và trạm phát sóng "
              "mất điện lưới. {mang} đã khắc phục tuyến cáp, bố trí máy phát điện dự phòng; thông tin liên lạc "
              "đã được khôi phục. Đơn vị đã yêu cầu các doanh nghiệp viễn thông bổ sung ắc quy dự phòng cho "
              "các trạm ở vùng thường xuyên sạt lở."),
        Topic(FB, "Internet cáp quang chập chờn, tốc độ thấp tại {xa}",
              "Gia đình tôi dùng internet cáp quang của {mang} nhưng buổi tối rất chậm, thường xuyên mất kết "
              "nối, đã báo tổng đài nhiều lần mà chưa được khắc phục triệt để.",
              "Đơn vị đã chuyển phản ánh đến {mang}. Qua kiểm tra, thiết bị chia quang tại khu vực bị quá tải; "
              "doanh nghiệp đã nâng cấp thiết bị và thay modem cho các hộ bị ảnh hưởng. Nếu còn sự cố, đề nghị "
              "Ông/Bà liên hệ tổng đài của doanh nghiệp hoặc phản ánh lại qua hệ thống này."),
        Topic(PT, "Kiến nghị kéo cáp quang đến điểm trường {ban}",
              "Điểm trường {ban} thuộc {xa} chưa có internet, giáo viên phải dùng điện thoại phát wifi để soạn "
              "bài và nhập điểm. Kính đề nghị đầu tư kéo cáp quang đến điểm trường.",
              "Đơn vị đã đưa điểm trường {ban} vào danh sách ưu tiên phủ cáp quang năm nay theo chương trình "
              "đưa internet đến trường học vùng khó khăn; {mang} dự kiến thi công trong 3 tháng tới."),
        Topic(IN, "Sáng kiến điểm wifi công cộng miễn phí tại chợ phiên {xa}",
              "Chợ phiên {xa} mỗi tuần có hàng trăm người đến mua bán. Đề xuất lắp điểm wifi công cộng miễn phí "
              "tại chợ để bà con thanh toán bằng mã QR, tra cứu giá cả và sử dụng dịch vụ công trực tuyến.",
              "Sáng kiến phù hợp với chương trình xây dựng chợ thanh toán không dùng tiền mặt. Đơn vị đã đề "
              "nghị các doanh nghiệp viễn thông phối hợp lắp đặt thí điểm điểm wifi công cộng tại chợ phiên "
              "{xa} theo hình thức xã hội hóa."),
        Topic(SL, "Giải pháp trạm phát sóng dùng năng lượng mặt trời cho bản chưa có điện lưới",
              "Chúng tôi đề xuất mô hình trạm phát sóng nhỏ dùng pin năng lượng mặt trời và ắc quy lithium, "
              "truyền dẫn bằng vi ba, chi phí thấp hơn nhiều so với kéo điện lưới, phù hợp với những bản như "
              "{ban} chưa có điện lưới quốc gia.",
              "Giải pháp có giá trị tham khảo cho việc phủ sóng vùng lõm. Đơn vị đã chuyển hồ sơ giải pháp đến "
              "các doanh nghiệp viễn thông trên địa bàn để đánh giá khả năng áp dụng và sẽ tổ chức buổi làm "
              "việc với nhóm tác giả."),
    ],
    "du-lieu-so": [
        Topic(FB, "Địa chỉ trên VNeID vẫn ghi huyện cũ sau khi sắp xếp đơn vị hành chính",
              "Từ ngày 1/7/2025 đã không còn cấp huyện nhưng thông tin nơi cư trú trên ứng dụng VNeID của gia "
              "đình tôi vẫn ghi địa chỉ cũ; khi làm thủ tục trực tuyến, hệ thống báo không khớp với địa chỉ "
              "mới là {xa}.",
              "Dữ liệu địa chỉ sau sắp xếp đơn vị hành chính đang được cập nhật theo lộ trình chung. Đơn vị đã "
              "chuyển thông tin đến Công an tỉnh để rà soát; trong thời gian chờ, hệ thống dịch vụ công chấp "
              "nhận cả địa chỉ cũ và mới, Ông/Bà có thể tiếp tục nộp hồ sơ bình thường."),
        Topic(FB, "Bản đồ số hiển thị sai vị trí trụ sở UBND {xa}",
              "Khi tìm đường đến trụ sở UBND {xa} trên bản đồ số, vị trí hiển thị vẫn là trụ sở cũ trước sắp "
              "xếp, cách trụ sở mới gần {n} km, nhiều người đi nhầm.",
              "Đơn vị đã cập nhật vị trí trụ sở mới của 45 xã, phường trên nền tảng bản đồ số dùng chung của "
              "tỉnh và gửi đề nghị chỉnh sửa đến các nhà cung cấp bản đồ phổ biến."),
        Topic(PT, "Kiến nghị công bố dữ liệu mở về thời tiết, giá nông sản của tỉnh",
              "Đề nghị tỉnh công bố dữ liệu mở (thời tiết, lượng mưa, giá nông sản tại các chợ, lịch thời vụ) "
              "theo định dạng máy đọc được, để các nhóm khởi nghiệp và hợp tác xã xây dựng ứng dụng phục vụ "
              "bà con.",
              "Kiến nghị phù hợp với kế hoạch phát triển dữ liệu mở của tỉnh. Danh mục dữ liệu mở đợt đầu "
              "(thời tiết, giá nông sản, danh sách cơ sở y tế, trường học) sẽ được công bố trên Cổng dữ liệu "
              "của tỉnh trong năm nay."),
        Topic(IN, "Sáng kiến số hóa sổ hộ tịch cũ tại {xa} để tra cứu nhanh",
              "Sổ hộ tịch từ những năm 1990 tại {xa} vẫn lưu bản giấy, nhiều trang đã mờ, mỗi lần cấp bản sao "
              "trích lục phải tìm rất lâu. Đề xuất huy động đoàn viên thanh niên phối hợp số hóa theo mẫu "
              "thống nhất.",
              "Việc số hóa sổ hộ tịch đang được triển khai theo kế hoạch chung của tỉnh. Đơn vị ghi nhận sáng "
              "kiến huy động đoàn viên thanh niên hỗ trợ nhập liệu dưới sự giám sát của công chức tư pháp – hộ "
              "tịch và sẽ hướng dẫn {xa} thực hiện thí điểm."),
        Topic(SL, "Giải pháp bản đồ số cảnh báo điểm sạt lở cho {xa}",
              "Chúng tôi đã xây dựng bản đồ số các điểm có nguy cơ sạt lở tại {xa} từ ảnh vệ tinh và số liệu "
              "đo mưa, cho phép trưởng bản cập nhật hiện trạng bằng điện thoại và gửi cảnh báo đến người dân "
              "trong vùng nguy hiểm.",
              "Giải pháp có ý nghĩa thiết thực trong phòng, chống thiên tai. Đơn vị sẽ phối hợp với Sở Nông "
              "nghiệp và Môi trường đánh giá độ chính xác của dữ liệu và xem xét tích hợp vào hệ thống cảnh báo "
              "thiên tai của tỉnh."),
    ],
    "kinh-te-so": [
        Topic(FB, "Sản phẩm OCOP của {xa} chưa được duyệt lên sàn thương mại điện tử của tỉnh",
              "Hợp tác xã chúng tôi có sản phẩm {nong_san} đạt OCOP 3 sao, đã đăng ký mở gian hàng trên sàn "
              "thương mại điện tử của tỉnh {n} tháng nay mà chưa được duyệt.",
              "Qua kiểm tra, hồ sơ đăng ký gian hàng còn thiếu giấy chứng nhận cơ sở đủ điều kiện an toàn thực "
              "phẩm bản điện tử. Cán bộ quản trị sàn đã liên hệ hướng dẫn bổ sung; gian hàng đã được duyệt và "
              "đưa lên sàn."),
        Topic(FB, "Không thanh toán được tiền nước qua ứng dụng ngân hàng tại {xa}",
              "Gần đây khi thanh toán tiền nước qua ứng dụng ngân hàng, hệ thống báo không tìm thấy mã khách "
              "hàng, trong khi trước đây vẫn thanh toán được. Bà con phải đi xa để nộp tiền mặt.",
              "Nguyên nhân là đơn vị cấp nước thay đổi mã khách hàng khi chuyển đổi hệ thống quản lý. Đơn vị "
              "đã đề nghị doanh nghiệp gửi thông báo mã mới đến từng hộ và phối hợp với các ngân hàng cập nhật; "
              "việc thanh toán trực tuyến đã hoạt động trở lại."),
        Topic(PT, "Kiến nghị hỗ trợ hộ kinh doanh tại {xa} mở gian hàng trực tuyến",
              "Đề nghị tổ chức lớp hướng dẫn chụp ảnh sản phẩm, viết mô tả và mở gian hàng trên các sàn thương "
              "mại điện tử cho hộ kinh doanh, hợp tác xã tại {xa}, ưu tiên sản phẩm {nong_san}.",
              "Đơn vị sẽ tổ chức lớp tập huấn kỹ năng bán hàng trên sàn thương mại điện tử tại {xa} trong quý "
              "tới, miễn phí cho hộ kinh doanh và hợp tác xã; danh sách đăng ký gửi về UBND {xa}."),
        Topic(IN, "Sáng kiến phiên chợ trực tuyến nông sản vùng cao qua livestream",
              "Đề xuất mỗi tháng tổ chức một phiên chợ trực tuyến bán {nong_san} và các đặc sản vùng cao qua "
              "livestream, có cán bộ và người có uy tín trong bản cùng giới thiệu sản phẩm, giao hàng qua bưu "
              "điện.",
              "Sáng kiến phù hợp với chương trình đưa nông sản lên sàn thương mại điện tử. Đơn vị sẽ phối hợp "
              "với Bưu điện tỉnh tổ chức thí điểm phiên chợ trực tuyến đầu tiên vào tháng tới và mời tác giả "
              "tham gia xây dựng kịch bản."),
        Topic(SL, "Giải pháp thu phí chợ bằng mã QR tại chợ {xa}",
              "Chúng tôi đề xuất thu phí chỗ ngồi và phí vệ sinh tại chợ bằng mã QR dán tại từng sạp, tiền "
              "chuyển thẳng vào tài khoản của ban quản lý chợ, có báo cáo tự động, giảm thất thu và tiền mặt.",
              "Giải pháp được đánh giá khả thi, góp phần thúc đẩy thanh toán không dùng tiền mặt. Đơn vị đề "
              "nghị UBND {xa} phối hợp với ngân hàng thương mại triển khai thí điểm tại chợ trung tâm."),
    ],
    "xa-hoi-so": [
        Topic(FB, "Người cao tuổi ở {ban} chưa biết dùng điện thoại thông minh để làm thủ tục",
              "Ở {ban}, nhiều người cao tuổi có điện thoại thông minh do con cháu mua nhưng không biết cài đặt "
              "VNeID, không biết nhận tiền trợ cấp qua tài khoản. Đề nghị có người đến tận bản hướng dẫn.",
              "Tổ công nghệ số cộng đồng của xã đã xuống {ban} hướng dẫn trực tiếp cho người cao tuổi cài đặt, "
              "sử dụng VNeID và nhận trợ cấp qua tài khoản. Việc hướng dẫn sẽ được duy trì hằng tháng tại nhà "
              "văn hóa bản."),
        Topic(FB, "Tổ công nghệ số cộng đồng tại {ban} chưa hoạt động",
              "Bản có Tổ công nghệ số cộng đồng nhưng các thành viên chưa được tập huấn, chưa từng hướng dẫn bà "
              "con việc gì; khi cần hỏi thì không biết liên hệ với ai.",
              "Đơn vị đã kiện toàn Tổ công nghệ số cộng đồng tại {ban}, bổ sung thành viên là đoàn viên thanh "
              "niên và tổ chức tập huấn cho các thành viên. Số điện thoại của tổ trưởng đã được niêm yết tại "
              "nhà văn hóa bản."),
        Topic(PT, "Kiến nghị mở lớp kỹ năng số bằng {tieng} cho bà con {ban}",
              "Nhiều bà con ở {ban} chưa thạo tiếng phổ thông nên rất khó theo các lớp hướng dẫn kỹ năng số. Đề "
              "nghị mở lớp có người hướng dẫn bằng {tieng}, dạy vào buổi tối sau giờ làm nương.",
              "Đơn vị sẽ mở lớp kỹ năng số cơ bản bằng {tieng} tại {ban} vào các buổi tối trong tháng tới, do "
              "thành viên Tổ công nghệ số cộng đồng là người địa phương hướng dẫn."),
        Topic(IN, "Sáng kiến “mỗi học sinh dạy bố mẹ một kỹ năng số”",
              "Đề xuất các trường trên địa bàn {xa} giao cho học sinh bài tập về nhà: mỗi tháng hướng dẫn bố mẹ "
              "một kỹ năng số (cài VNeID, chuyển khoản, nhận diện tin nhắn lừa đảo), có phiếu xác nhận của "
              "phụ huynh.",
              "Sáng kiến sáng tạo, dễ thực hiện và có sức lan tỏa. Đơn vị đã trao đổi với các trường trên địa "
              "bàn để lồng ghép vào hoạt động trải nghiệm, bắt đầu từ học kỳ tới."),
        Topic(SL, "Giải pháp video hướng dẫn kỹ năng số song ngữ Việt – Thái",
              "Chúng tôi đã sản xuất {n} video ngắn song ngữ Việt – Thái hướng dẫn cài đặt VNeID, nộp hồ sơ "
              "trực tuyến và phòng tránh lừa đảo, có thể phát qua loa truyền thanh thông minh và chia sẻ qua "
              "nhóm Zalo của bản.",
              "Giải pháp phù hợp với đặc điểm dân cư của địa phương. Đơn vị sẽ sử dụng các video trên hệ thống "
              "truyền thanh cơ sở và nhóm Zalo của các bản, đồng thời đề nghị tác giả bổ sung phiên bản tiếng "
              "Mông."),
    ],
    "attt": [
        Topic(FB, "Tin nhắn giả mạo ngân hàng yêu cầu cập nhật sinh trắc học",
              "Nhiều người ở {xa} nhận tin nhắn mạo danh ngân hàng, gửi đường dẫn yêu cầu cập nhật sinh trắc "
              "học, nếu không sẽ khóa tài khoản. Đã có người bấm vào và bị mất tiền trong tài khoản.",
              "Đơn vị đã xác minh và phối hợp ngăn chặn các đường dẫn giả mạo. Người dân tuyệt đối không bấm "
              "vào đường dẫn lạ, không cung cấp mã OTP; ngân hàng chỉ cập nhật sinh trắc học trên ứng dụng "
              "chính thức hoặc tại quầy giao dịch. Trường hợp bị mất tiền, đề nghị đến Công an xã gần nhất để "
              "trình báo."),
        Topic(FB, "Trang mạng xã hội giả mạo UBND {xa} kêu gọi quyên góp",
              "Xuất hiện trang mạng xã hội lấy tên và biểu trưng của UBND {xa} đăng bài kêu gọi quyên góp ủng "
              "hộ bà con vùng lũ, đề nghị chuyển tiền vào tài khoản cá nhân.",
              "Đơn vị đã xác minh đây là trang giả mạo, đã đề nghị nhà cung cấp mạng xã hội gỡ bỏ và đang tiếp "
              "tục điều tra đối tượng. UBND {xa} chỉ sử dụng trang thông tin điện tử chính thức và tài khoản "
              "mạng xã hội đã được xác thực."),
        Topic(PT, "Kiến nghị tăng cường tuyên truyền phòng chống lừa đảo qua mạng tại các bản vùng cao",
              "Bà con vùng cao ít tiếp cận thông tin nên dễ bị lừa đảo qua điện thoại và mạng xã hội. Đề nghị "
              "tuyên truyền bằng tiếng dân tộc qua loa truyền thanh và tại các buổi họp bản.",
              "Đơn vị đã phối hợp với các xã, phường xây dựng bản tin phòng chống lừa đảo bằng tiếng Thái, "
              "tiếng Mông phát trên hệ thống truyền thanh cơ sở hằng tuần và lồng ghép tuyên truyền tại các "
              "buổi họp bản."),
        Topic(IN, "Sáng kiến tuyên truyền viên an toàn thông tin tại mỗi bản",
              "Đề xuất mỗi bản chọn một thanh niên làm tuyên truyền viên an toàn thông tin, được tập huấn nhận "
              "diện các thủ đoạn lừa đảo mới, để kịp thời cảnh báo bà con trong nhóm Zalo của bản.",
              "Sáng kiến được đánh giá cao và phù hợp với phong trào toàn dân bảo vệ an ninh Tổ quốc. Đơn vị sẽ "
              "phối hợp với Tỉnh đoàn thí điểm mô hình tại {xa}."),
        Topic(SL, "Giải pháp sao lưu dữ liệu và phòng chống mã độc cho máy tính cấp xã",
              "Chúng tôi đề xuất gói giải pháp gồm phần mềm phòng chống mã độc quản lý tập trung, sao lưu dữ "
              "liệu tự động hằng đêm lên máy chủ của tỉnh và hướng dẫn cấu hình an toàn cho máy tính tại bộ "
              "phận một cửa cấp xã.",
              "Giải pháp phù hợp với yêu cầu bảo đảm an toàn hệ thống thông tin theo cấp độ. Đơn vị đã chuyển "
              "hồ sơ đến Trung tâm Công nghệ và Nền tảng số để đánh giá, xem xét áp dụng cho các xã, phường."),
    ],
    "ai": [
        Topic(FB, "Trợ lý ảo trên Cổng dịch vụ công trả lời sai thành phần hồ sơ {thu_tuc}",
              "Tôi hỏi trợ lý ảo về thủ tục {thu_tuc}, trợ lý trả lời thành phần hồ sơ khác với thông tin niêm "
              "yết tại bộ phận một cửa, khiến tôi chuẩn bị thiếu giấy tờ.",
              "Qua kiểm tra, dữ liệu của trợ lý ảo chưa được cập nhật theo bộ thủ tục hành chính mới sau sắp "
              "xếp đơn vị hành chính. Đơn vị đã cập nhật dữ liệu và bổ sung đường dẫn đến văn bản gốc trong "
              "mỗi câu trả lời."),
        Topic(FB, "Trợ lý ảo không hiểu câu hỏi gõ không dấu",
              "Khi gõ câu hỏi tiếng Việt không dấu trên điện thoại, trợ lý ảo thường trả lời “không hiểu câu "
              "hỏi”. Nhiều bà con vùng cao quen gõ không dấu nên không dùng được.",
              "Đơn vị đã nâng cấp bộ xử lý ngôn ngữ của trợ lý ảo để hiểu câu hỏi gõ không dấu và các từ viết "
              "tắt thông dụng. Cảm ơn Ông/Bà đã phát hiện và phản ánh."),
        Topic(PT, "Kiến nghị phát triển trợ lý ảo hỗ trợ tiếng Thái và tiếng Mông",
              "Đề nghị tỉnh nghiên cứu phát triển trợ lý ảo trả lời bằng tiếng Thái, tiếng Mông (cả chữ viết "
              "và giọng nói) để đồng bào dân tộc thiểu số tra cứu thủ tục hành chính, chính sách.",
              "Kiến nghị đã được đưa vào định hướng nghiên cứu, ứng dụng trí tuệ nhân tạo của tỉnh. Đơn vị đang "
              "phối hợp với các viện nghiên cứu xây dựng bộ dữ liệu tiếng Thái, tiếng Mông làm cơ sở phát triển "
              "trợ lý ảo đa ngôn ngữ."),
        Topic(IN, "Sáng kiến dùng trí tuệ nhân tạo nhận diện sâu bệnh qua ảnh chụp điện thoại",
              "Đề xuất xây dựng ứng dụng cho bà con chụp ảnh lá lúa, lá cà phê bị bệnh để trí tuệ nhân tạo "
              "nhận diện loại sâu bệnh và gợi ý cách phòng trừ, có cán bộ khuyến nông xác nhận lại.",
              "Sáng kiến có tính ứng dụng cao. Đơn vị sẽ đề xuất đưa vào danh mục nhiệm vụ khoa học và công "
              "nghệ đặt hàng năm tới, phối hợp với Sở Nông nghiệp và Môi trường thu thập bộ ảnh mẫu tại địa "
              "phương."),
        Topic(SL, "Giải pháp camera AI phát hiện sớm cháy rừng tại {xa}",
              "Chúng tôi đề xuất lắp camera có trí tuệ nhân tạo trên các chòi canh lửa tại {xa} để tự động phát "
              "hiện khói, lửa và gửi cảnh báo kèm vị trí đến lực lượng kiểm lâm qua điện thoại.",
              "Giải pháp phù hợp với yêu cầu phòng cháy, chữa cháy rừng trong mùa khô. Đơn vị đã chuyển hồ sơ "
              "đến lực lượng kiểm lâm để cùng đánh giá hiệu quả và chi phí, đề xuất thí điểm tại một chòi canh "
              "của {xa}."),
    ],
    "shtt-tdc": [
        Topic(FB, "Gạo giả nhãn hiệu “Gạo Điện Biên” bán tại chợ {xa}",
              "Tại chợ {xa} có nhiều bao gạo in nhãn “Gạo Điện Biên” nhưng chất lượng kém, không có tem truy "
              "xuất nguồn gốc, giá rẻ hơn hẳn, làm ảnh hưởng uy tín của gạo Điện Biên thật.",
              "Đơn vị đã phối hợp với lực lượng quản lý thị trường kiểm tra, lập biên bản, tạm giữ hàng hóa có "
              "dấu hiệu xâm phạm nhãn hiệu chứng nhận “Gạo Điện Biên”. Người tiêu dùng nên chọn sản phẩm có tem "
              "truy xuất nguồn gốc của tổ chức quản lý nhãn hiệu."),
        Topic(FB, "Cân điện tử tại chợ {xa} không có tem kiểm định",
              "Nhiều cân điện tử của tiểu thương tại chợ {xa} không có tem kiểm định, cân lại thường thiếu từ "
              "50 đến 100 gam mỗi ki-lô-gam, người mua chịu thiệt.",
              "Đơn vị đã tổ chức kiểm tra đo lường tại chợ {xa}, yêu cầu ngừng sử dụng các cân không đạt yêu "
              "cầu và đặt cân đối chứng tại ban quản lý chợ để người mua tự kiểm tra."),
        Topic(PT, "Kiến nghị hỗ trợ bảo hộ nhãn hiệu chứng nhận cho {nong_san}",
              "Sản phẩm {nong_san} có chất lượng đặc thù nhưng chưa được bảo hộ đầy đủ, dễ bị làm giả. Đề nghị "
              "tỉnh hỗ trợ xây dựng hồ sơ đăng ký chỉ dẫn địa lý hoặc nhãn hiệu chứng nhận.",
              "Kiến nghị được tiếp thu. Đơn vị sẽ đưa nội dung hỗ trợ xây dựng, quản lý và phát triển tài sản "
              "trí tuệ cho sản phẩm {nong_san} vào Chương trình phát triển tài sản trí tuệ của tỉnh giai đoạn "
              "tới."),
        Topic(IN, "Sáng kiến tem điện tử chống giả thống nhất cho sản phẩm OCOP Điện Biên",
              "Đề xuất dùng một mẫu tem điện tử chống giả thống nhất cho sản phẩm OCOP của tỉnh: người mua quét "
              "mã là biết cơ sở sản xuất, ngày đóng gói, và được cảnh báo nếu mã đã bị quét quá nhiều lần.",
              "Sáng kiến phù hợp với yêu cầu truy xuất nguồn gốc và chống hàng giả. Đơn vị sẽ nghiên cứu lồng "
              "ghép vào hệ thống truy xuất nguồn gốc của tỉnh đang được xây dựng."),
        Topic(SL, "Giải pháp quản lý nhãn hiệu chứng nhận “Cà phê Mường Ảng” bằng mã QR",
              "Chúng tôi đề xuất cấp mã QR riêng cho từng lô cà phê của các hộ, hợp tác xã được sử dụng nhãn "
              "hiệu chứng nhận “Cà phê Mường Ảng”, liên kết với mã số vùng trồng và nhật ký canh tác.",
              "Giải pháp được đánh giá có tính khả thi. Đơn vị đề nghị tổ chức quản lý nhãn hiệu phối hợp với "
              "nhóm tác giả thí điểm cho 2 hợp tác xã trong vụ thu hoạch tới."),
    ],
    "co-che-chinh-sach": [
        Topic(FB, "Chưa có chính sách hỗ trợ cước internet cho hộ nghèo vùng cao",
              "Nhiều hộ nghèo ở {xa} có con đi học nhưng không đủ tiền trả cước internet hằng tháng. Đề nghị có "
              "chính sách hỗ trợ cước viễn thông cho hộ nghèo, hộ cận nghèo ở vùng đặc biệt khó khăn.",
              "Đơn vị đã tổng hợp kiến nghị để tham mưu UBND tỉnh. Trước mắt, hộ nghèo có học sinh được hỗ trợ "
              "gói cước internet theo Chương trình cung cấp dịch vụ viễn thông công ích; UBND {xa} sẽ lập danh "
              "sách các hộ đủ điều kiện để đăng ký.", agency="so-khcn"),
        Topic(FB, "Chậm chi trả hỗ trợ cho thành viên Tổ công nghệ số cộng đồng",
              "Thành viên Tổ công nghệ số cộng đồng tại {xa} làm việc nhiệt tình nhưng {n} tháng nay chưa nhận "
              "được khoản hỗ trợ theo quy định, nhiều người có ý định nghỉ.",
              "Qua rà soát, kinh phí hỗ trợ đã được bố trí trong dự toán; việc chậm chi trả do địa phương chưa "
              "hoàn thiện hồ sơ thanh toán sau sắp xếp bộ máy. Đơn vị đã hướng dẫn UBND {xa} hoàn thiện hồ sơ "
              "và chi trả trong tháng này.", agency="so-tai-chinh"),
        Topic(PT, "Kiến nghị chính sách thu hút nhân lực công nghệ thông tin về công tác tại xã",
              "Các xã vùng cao rất thiếu cán bộ có chuyên môn công nghệ thông tin. Đề nghị tỉnh có chính sách "
              "ưu đãi (phụ cấp, nhà công vụ, ưu tiên tuyển dụng) để thu hút sinh viên công nghệ thông tin về "
              "công tác tại xã.",
              "Kiến nghị được tiếp thu trong quá trình xây dựng Đề án thu hút, trọng dụng nhân lực chất lượng "
              "cao của tỉnh. Dự thảo đề án sẽ được lấy ý kiến rộng rãi trên Cổng thông tin điện tử tỉnh trước "
              "khi trình Hội đồng nhân dân tỉnh.", agency="so-noi-vu"),
        Topic(PT, "Kiến nghị cho phép hợp tác xã chủ trì nhiệm vụ khoa học và công nghệ cấp tỉnh",
              "Quy định hiện hành của tỉnh yêu cầu tổ chức chủ trì nhiệm vụ khoa học và công nghệ phải có chức "
              "năng nghiên cứu, nên hợp tác xã dù có nhu cầu thực tế cũng không thể đứng ra chủ trì. Đề nghị "
              "sửa đổi để hợp tác xã được chủ trì các nhiệm vụ ứng dụng.",
              "Theo tinh thần Luật Khoa học, công nghệ và đổi mới sáng tạo, doanh nghiệp và hợp tác xã được "
              "khuyến khích chủ trì nhiệm vụ khoa học và công nghệ. Đơn vị đang rà soát, sửa đổi quy định quản "
              "lý nhiệm vụ khoa học và công nghệ của tỉnh cho phù hợp.", agency="so-khcn"),
        Topic(IN, "Sáng kiến khoán chi đến sản phẩm cuối cùng cho nhiệm vụ khoa học cấp cơ sở",
              "Đề xuất áp dụng cơ chế khoán chi đến sản phẩm cuối cùng cho các nhiệm vụ khoa học và công nghệ "
              "cấp cơ sở, giảm thủ tục thanh quyết toán chứng từ, để người thực hiện tập trung vào kết quả "
              "nghiên cứu.",
              "Sáng kiến phù hợp với tinh thần Nghị quyết số 57-NQ/TW về đột phá phát triển khoa học, công "
              "nghệ, đổi mới sáng tạo và chuyển đổi số quốc gia. Đơn vị sẽ nghiên cứu, đưa vào dự thảo quy định "
              "quản lý nhiệm vụ khoa học và công nghệ của tỉnh.", agency="so-khcn"),
        Topic(SL, "Giải pháp cơ chế thử nghiệm có kiểm soát cho mô hình kinh doanh công nghệ mới",
              "Chúng tôi đề xuất tỉnh ban hành quy trình thử nghiệm có kiểm soát trong 12 tháng cho các mô hình "
              "như giao hàng bằng thiết bị bay không người lái hay du lịch thực tế ảo, có tiêu chí đánh giá và "
              "điều kiện dừng thử nghiệm rõ ràng.",
              "Đơn vị ghi nhận giải pháp và sẽ tham khảo khi tham mưu UBND tỉnh triển khai cơ chế thử nghiệm có "
              "kiểm soát theo quy định của Trung ương; nhóm tác giả sẽ được mời tham gia hội thảo góp ý.",
              agency="so-khcn"),
    ],
    "nhan-luc-khcn": [
        Topic(FB, "Thiếu công chức phụ trách công nghệ thông tin tại {xa}",
              "Sau sắp xếp đơn vị hành chính, {xa} quản lý địa bàn rộng nhưng không có công chức chuyên trách "
              "công nghệ thông tin; khi mạng nội bộ hoặc máy tính một cửa hỏng phải chờ nhiều ngày.",
              "Đơn vị đã hướng dẫn UBND {xa} bố trí công chức kiêm nhiệm phụ trách chuyển đổi số trong số biên "
              "chế được giao và ưu tiên chỉ tiêu tuyển dụng chuyên ngành công nghệ thông tin trong kỳ tuyển "
              "dụng tới."),
        Topic(FB, "Công chức mới điều động về {xa} chưa được bồi dưỡng kỹ năng số",
              "Nhiều công chức mới được điều động về {xa} sau sắp xếp chưa được bồi dưỡng sử dụng phần mềm quản "
              "lý văn bản, một cửa điện tử nên xử lý hồ sơ chậm.",
              "Lớp bồi dưỡng kỹ năng số cho cán bộ, công chức cấp xã đã được đưa vào kế hoạch bồi dưỡng năm "
              "nay; đợt đầu tổ chức trực tuyến kết hợp trực tiếp, ưu tiên công chức mới điều động."),
        Topic(PT, "Kiến nghị cử cán bộ trẻ đi đào tạo chuyên sâu về an toàn thông tin",
              "Đề nghị tỉnh có kế hoạch cử cán bộ trẻ đi đào tạo chuyên sâu về an toàn thông tin, dữ liệu tại "
              "các trường đại học lớn, có cam kết quay về phục vụ tỉnh.",
              "Kiến nghị được tiếp thu trong kế hoạch đào tạo, bồi dưỡng nhân lực chuyển đổi số của tỉnh; chỉ "
              "tiêu cử đi đào tạo sẽ được thông báo đến các cơ quan, đơn vị trong quý tới."),
        Topic(IN, "Sáng kiến mạng lưới chuyên gia tình nguyện hỗ trợ chuyển đổi số cho các xã",
              "Đề xuất kết nối những người con Điện Biên đang làm việc trong lĩnh vực công nghệ ở Hà Nội, Thành "
              "phố Hồ Chí Minh thành mạng lưới chuyên gia tình nguyện, mỗi người nhận đỡ đầu một xã và tư vấn "
              "trực tuyến.",
              "Sáng kiến có ý nghĩa, khơi dậy tình cảm quê hương và tận dụng được nguồn lực chất lượng cao. Đơn "
              "vị sẽ phối hợp với Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh xây dựng quy chế hoạt động của "
              "mạng lưới."),
        Topic(SL, "Giải pháp bồi dưỡng kỹ năng số cho công chức bằng bài học ngắn trên điện thoại",
              "Chúng tôi đề xuất nền tảng học trực tuyến với các bài học 5 phút trên điện thoại, có bài kiểm tra "
              "và chứng nhận, phù hợp với công chức cấp xã ít thời gian và mạng yếu.",
              "Giải pháp phù hợp với thực tế. Đơn vị sẽ xem xét sử dụng các bài học ngắn trên nền tảng học trực "
              "tuyến mở đại trà của quốc gia và đề nghị nhóm tác giả xây dựng thêm nội dung đặc thù của tỉnh."),
    ],
    "y-te-so": [
        Topic(FB, "Không đặt được lịch khám trực tuyến tại Bệnh viện Đa khoa tỉnh",
              "Tôi đặt lịch khám qua trang web của Bệnh viện Đa khoa tỉnh nhưng hệ thống báo đã hết chỗ, trong "
              "khi đến trực tiếp vẫn phải chờ rất lâu. Gia đình tôi ở {xa}, đi lại vất vả.",
              "Qua kiểm tra, hệ thống đặt lịch chỉ mở một số khung giờ trong thời gian nâng cấp. Bệnh viện đã mở "
              "lại toàn bộ khung giờ đặt lịch trực tuyến và bố trí quầy tiếp đón riêng cho người đã đặt lịch."),
        Topic(FB, "Trạm Y tế {xa} chưa tiếp nhận khám bằng căn cước thay thẻ bảo hiểm y tế",
              "Khi đến khám tại Trạm Y tế {xa}, tôi xuất trình căn cước gắn chip nhưng trạm nói chưa có máy đọc, "
              "yêu cầu phải mang thẻ bảo hiểm y tế giấy.",
              "Đơn vị đã cấp bổ sung thiết bị đọc căn cước cho Trạm Y tế {xa}; trong thời gian chờ, trạm tra cứu "
              "thông tin bảo hiểm y tế bằng số định danh cá nhân trên hệ thống, người dân không cần mang thẻ "
              "giấy."),
        Topic(PT, "Kiến nghị triển khai khám chữa bệnh từ xa cho Trạm Y tế {xa}",
              "Trạm Y tế {xa} cách bệnh viện tuyến trên hơn {n}0 km. Đề nghị kết nối khám chữa bệnh từ xa để "
              "bác sĩ tuyến trên hội chẩn, hướng dẫn điều trị, giảm việc bà con phải chuyển tuyến.",
              "Trạm Y tế {xa} đã được đưa vào danh sách mở rộng mạng lưới khám, chữa bệnh từ xa đợt tới; đơn vị "
              "sẽ trang bị thiết bị và tập huấn cho nhân viên trạm."),
        Topic(IN, "Sáng kiến sổ theo dõi thai kỳ điện tử cho phụ nữ vùng cao",
              "Đề xuất cô đỡ thôn bản dùng điện thoại ghi lịch khám thai và nhắc lịch qua tin nhắn cho phụ nữ "
              "mang thai ở các bản xa, giúp trạm y tế theo dõi và phát hiện sớm các trường hợp có nguy cơ.",
              "Sáng kiến góp phần giảm tử vong mẹ và trẻ sơ sinh ở vùng cao. Đơn vị sẽ nghiên cứu tích hợp chức "
              "năng này vào hồ sơ sức khỏe điện tử và thí điểm tại {xa}."),
        Topic(SL, "Giải pháp nhắc lịch tiêm chủng cho trẻ qua tin nhắn Zalo",
              "Chúng tôi đã phát triển công cụ tự động gửi tin nhắn Zalo nhắc lịch tiêm chủng cho phụ huynh theo "
              "dữ liệu của trạm y tế, kèm hướng dẫn bằng tiếng Thái, tiếng Mông.",
              "Giải pháp hữu ích. Đơn vị đề nghị nhóm tác giả phối hợp với Trung tâm Kiểm soát bệnh tật tỉnh "
              "đánh giá việc kết nối với Hệ thống quản lý thông tin tiêm chủng quốc gia, bảo đảm an toàn dữ liệu "
              "cá nhân."),
    ],
    "giao-duc-so": [
        Topic(FB, "Học sinh {ban} không có thiết bị để học trực tuyến",
              "Nhiều học sinh ở {ban} không có điện thoại, máy tính để học và làm bài trực tuyến; gia đình khó "
              "khăn không đủ điều kiện mua.",
              "Đơn vị đã chỉ đạo nhà trường rà soát, lập danh sách học sinh chưa có thiết bị; các em được mượn "
              "máy tính bảng từ chương trình “Sóng và máy tính cho em” và được sử dụng phòng máy của trường "
              "ngoài giờ học."),
        Topic(FB, "Ứng dụng nộp các khoản thu của nhà trường khó sử dụng với phụ huynh",
              "Nhà trường yêu cầu phụ huynh nộp các khoản thu qua ứng dụng nhưng ứng dụng nhiều chữ tiếng Anh, "
              "đăng nhập nhiều bước, nhiều phụ huynh ở {xa} không tự làm được.",
              "Đơn vị đã yêu cầu nhà trường tiếp tục nhận nộp tiền trực tiếp song song với thanh toán trực tuyến "
              "và hướng dẫn phụ huynh sử dụng ứng dụng trong buổi họp phụ huynh đầu tháng."),
        Topic(PT, "Kiến nghị trang bị phòng học tin học cho Trường PTDTBT THCS {xa_ten}",
              "Trường PTDTBT THCS {xa_ten} có khoảng {n}00 học sinh nhưng chỉ có vài máy tính cũ, không đủ dạy "
              "môn Tin học theo chương trình mới. Đề nghị trang bị phòng học tin học.",
              "Nhà trường đã được đưa vào danh mục đầu tư trang thiết bị dạy học năm tới, trong đó có một phòng "
              "học tin học 35 máy; trước mắt, đơn vị điều chuyển 15 máy tính từ các trường thừa thiết bị."),
        Topic(IN, "Sáng kiến kho học liệu số dùng chung cho các trường vùng cao",
              "Đề xuất xây dựng kho học liệu số dùng chung có bài giảng, sách, video của giáo viên giỏi trong "
              "tỉnh, tải về được để dùng khi không có mạng, phục vụ các điểm trường lẻ.",
              "Sáng kiến phù hợp với kế hoạch chuyển đổi số ngành giáo dục. Đơn vị sẽ xây dựng kho học liệu số "
              "dùng chung có chức năng tải về dùng ngoại tuyến, triển khai từ năm học tới."),
        Topic(SL, "Giải pháp bài giảng điện tử song ngữ cho học sinh lớp 1 người dân tộc thiểu số",
              "Chúng tôi đã biên soạn {n}0 bài giảng điện tử song ngữ Việt – Mông giúp học sinh lớp 1 làm quen "
              "với tiếng Việt, có hình ảnh và âm thanh gần gũi với đời sống ở bản.",
              "Hội đồng chuyên môn đã xem xét các bài giảng và đánh giá cao tính sáng tạo. Đơn vị sẽ tổ chức dạy "
              "thử nghiệm tại một số điểm trường và đưa vào kho học liệu số của tỉnh nếu đạt hiệu quả."),
    ],
    "nong-nghiep-so": [
        Topic(FB, "Thông tin dự báo sâu bệnh không đến được với bà con {ban}",
              "Vụ vừa rồi lúa ở {ban} bị rầy nâu phá nặng, bà con chỉ biết khi đã muộn. Thông báo dự báo sâu "
              "bệnh chủ yếu đăng trên mạng, bà con không tiếp cận được.",
              "Đơn vị đã chỉ đạo gửi thông báo dự báo sâu bệnh định kỳ qua nhóm Zalo của trưởng bản và hệ thống "
              "truyền thanh cơ sở; cán bộ khuyến nông xã được giao theo dõi đồng ruộng hằng tuần tại {ban}."),
        Topic(FB, "Mã số vùng trồng cà phê tại {xa} chưa được cập nhật",
              "Hợp tác xã chúng tôi đã nộp hồ sơ cấp mã số vùng trồng cà phê từ lâu nhưng tra cứu trên hệ thống "
              "vẫn chưa có, doanh nghiệp thu mua xuất khẩu yêu cầu phải có mã.",
              "Hồ sơ đã được thẩm định, mã số vùng trồng đã được cấp và cập nhật lên hệ thống. Đơn vị đã thông "
              "báo cho hợp tác xã để cung cấp cho doanh nghiệp thu mua."),
        Topic(PT, "Kiến nghị hỗ trợ lắp cảm biến độ ẩm đất cho vùng trồng cà phê {xa}",
              "Đề nghị hỗ trợ lắp cảm biến đo độ ẩm đất và hệ thống tưới tự động cho vùng trồng cà phê tại {xa}, "
              "giúp tiết kiệm nước trong mùa khô.",
              "Kiến nghị được đưa vào danh mục hỗ trợ theo chương trình phát triển nông nghiệp ứng dụng công nghệ "
              "cao; hợp tác xã đăng ký qua UBND {xa} trước ngày cuối cùng của quý để được xem xét."),
        Topic(IN, "Đề xuất truy xuất nguồn gốc {nong_san} bằng mã QR",
              "Đề xuất gắn mã QR truy xuất nguồn gốc cho {nong_san}: người mua quét mã là biết vùng trồng, hộ "
              "sản xuất, ngày thu hoạch, giúp bà con bán được giá cao hơn và chống hàng giả.",
              "Sáng kiến phù hợp với chủ trương phát triển nông nghiệp số. Đơn vị sẽ hướng dẫn các hợp tác xã "
              "sản xuất {nong_san} tham gia hệ thống truy xuất nguồn gốc của tỉnh, được hỗ trợ miễn phí tem "
              "trong năm đầu."),
        Topic(SL, "Giải pháp nhật ký canh tác điện tử cho hợp tác xã {nong_san}",
              "Chúng tôi đã phát triển ứng dụng nhật ký canh tác điện tử chạy được khi không có mạng, cho thành "
              "viên hợp tác xã ghi lại việc bón phân, phun thuốc, thu hoạch; dữ liệu tự đồng bộ khi có sóng.",
              "Giải pháp đáp ứng yêu cầu ghi chép nhật ký canh tác phục vụ truy xuất nguồn gốc và xuất khẩu. Đơn "
              "vị sẽ mời nhóm tác giả giới thiệu giải pháp tại hội nghị chuyển đổi số ngành nông nghiệp sắp tới."),
    ],
    "du-lich-so": [
        Topic(FB, "Mã QR thuyết minh tại {di_tich} không truy cập được",
              "Khi tham quan {di_tich}, tôi quét mã QR thuyết minh nhưng đường dẫn báo lỗi, nhiều du khách khác "
              "cũng gặp tình trạng tương tự.",
              "Qua kiểm tra, lỗi do tên miền của hệ thống thuyết minh tự động hết hạn. Đơn vị đã gia hạn tên "
              "miền, hệ thống đã hoạt động trở lại và được đưa vào danh sách giám sát định kỳ."),
        Topic(FB, "Thông tin homestay tại {xa} trên bản đồ du lịch số bị sai",
              "Bản đồ du lịch số của tỉnh ghi sai số điện thoại và vị trí các homestay tại {xa}, khách không liên "
              "hệ được, nhiều đoàn đã tìm sang nơi khác.",
              "Đơn vị đã rà soát và cập nhật lại thông tin các cơ sở lưu trú tại {xa}; các cơ sở có thể tự cập "
              "nhật thông tin qua tài khoản quản trị được cấp."),
        Topic(PT, "Kiến nghị bán vé tham quan điểm di tích trực tuyến",
              "Đề nghị triển khai bán vé tham quan các điểm di tích như {di_tich} trực tuyến, thanh toán bằng mã "
              "QR, để du khách không phải xếp hàng vào dịp cao điểm tháng 5.",
              "Hệ thống bán vé điện tử đã được thí điểm tại một số điểm di tích và sẽ mở rộng đến các điểm còn "
              "lại trước dịp kỷ niệm Chiến thắng Điện Biên Phủ."),
        Topic(IN, "Sáng kiến tour thực tế ảo về Chiến dịch Điện Biên Phủ",
              "Đề xuất xây dựng tour thực tế ảo 360 độ tái hiện các trận đánh trong Chiến dịch Điện Biên Phủ, để "
              "học sinh cả nước tham quan trực tuyến và thu hút du khách đến thực địa.",
              "Sáng kiến có ý nghĩa trong giáo dục truyền thống và quảng bá du lịch. Đơn vị sẽ nghiên cứu lồng "
              "ghép vào dự án số hóa di sản văn hóa của tỉnh."),
        Topic(SL, "Giải pháp thuyết minh tự động đa ngôn ngữ tại {di_tich}",
              "Chúng tôi đề xuất hệ thống thuyết minh tự động bằng tiếng Việt, Anh, Pháp, Lào trên điện thoại "
              "của du khách, kích hoạt theo vị trí, nội dung tải sẵn để dùng được khi sóng yếu.",
              "Giải pháp phù hợp với định hướng phát triển du lịch thông minh. Đơn vị mời nhóm tác giả trình diễn "
              "thử nghiệm tại {di_tich} để hoàn thiện trước khi xem xét triển khai."),
    ],
    "khac": [
        Topic(FB, "Đèn đường năng lượng mặt trời tại {ban} bị hỏng",
              "Hệ thống đèn đường năng lượng mặt trời lắp tại {ban} được hơn một năm thì {n} cột không sáng, "
              "đường tối, bà con đi lại ban đêm rất nguy hiểm.",
              "Đơn vị đã yêu cầu nhà thầu thực hiện nghĩa vụ bảo hành, thay ắc quy và bộ điều khiển của các cột "
              "đèn bị hỏng; việc sửa chữa hoàn thành trong tuần này.", agency="so-xay-dung"),
        Topic(FB, "Loa truyền thanh thông minh tại {ban} phát không rõ",
              "Cụm loa truyền thanh thông minh tại {ban} phát tiếng rè, nhỏ, có hôm không phát; bà con không "
              "nghe được thông báo của xã.",
              "Đơn vị đã kiểm tra, thay bộ thu phát và điều chỉnh âm lượng cụm loa tại {ban}; cụm loa đã hoạt "
              "động bình thường.", agency="@xa"),
        Topic(PT, "Kiến nghị lắp camera an ninh tại ngã ba trung tâm {xa}",
              "Ngã ba trung tâm {xa} thường xảy ra va chạm giao thông và trộm cắp vặt vào ban đêm. Đề nghị lắp "
              "camera giám sát kết nối với Công an xã.",
              "Ngã ba trung tâm {xa} đã được đưa vào danh mục lắp camera giám sát an ninh trật tự theo đề án của "
              "tỉnh; trước mắt, Công an xã tăng cường tuần tra vào ban đêm.", agency="cong-an"),
        Topic(IN, "Sáng kiến nhắn tin nhắc lịch thu gom rác theo từng bản tại {xa}",
              "Đề xuất gửi tin nhắn Zalo nhắc lịch xe thu gom rác cho từng tổ, bản, để bà con mang rác ra đúng "
              "giờ, tránh để rác tồn đọng ven đường.",
              "Sáng kiến đơn giản, dễ thực hiện. Đơn vị đã lập nhóm Zalo thông báo lịch thu gom rác theo từng bản "
              "và đề nghị đơn vị thu gom cập nhật lịch hằng tuần.", agency="@xa"),
        Topic(SL, "Giải pháp bơm nước sinh hoạt bằng năng lượng mặt trời cho {ban}",
              "Chúng tôi đề xuất hệ thống bơm nước từ suối lên bể chứa bằng năng lượng mặt trời, có bộ lọc đơn "
              "giản và cảm biến mực nước gửi cảnh báo qua điện thoại, phù hợp với {ban} thường thiếu nước sinh "
              "hoạt vào mùa khô.",
              "Giải pháp phù hợp với điều kiện các bản vùng cao thiếu nước. Đơn vị đã chuyển hồ sơ đến bộ phận "
              "phụ trách cấp nước sinh hoạt nông thôn để đánh giá, xem xét lồng ghép vào chương trình mục tiêu "
              "quốc gia.", agency="so-nnmt"),
    ],
}

VILLAGES = [
    "Huổi Lếch", "Nậm Pố", "Pá Mỳ", "Huổi Thanh", "Na Cô Sa", "Nậm Khăn", "Huổi Só", "Pa Thơm", "Co Mạ",
    "Tà Cáng", "Phiêng Ban", "Nà Nhạn", "Huổi Hốc", "Háng Lìa", "Tìa Ghềnh", "Pú Vang", "Co Kham",
    "Huổi Sông", "Pom Lót", "Nậm Chua", "Lóng Luông", "Xá Nhè", "Pá Sáng", "Hua Ngài", "Trung Phu",
    "Sam Măn", "Nà Sự", "Huổi Dạo", "Pa Có", "Nậm Cản",
]
OPERATORS = ["Viettel", "VNPT", "MobiFone"]
PROCEDURES = [
    "cấp giấy khai sinh", "đăng ký thường trú", "cấp bản sao trích lục hộ tịch", "chứng thực bản sao",
    "đăng ký kết hôn", "đăng ký hộ kinh doanh", "cấp giấy chứng nhận quyền sử dụng đất",
    "xác nhận tình trạng hôn nhân", "đăng ký khai tử",
]
PRODUCTS = [
    "gạo Điện Biên", "cà phê Mường Ảng", "chè Shan tuyết Tủa Chùa", "mắc ca", "thảo quả", "mật ong rừng",
    "gà đen", "quế",
]
SITES = [
    "Đồi A1", "Hầm chỉ huy của tướng De Castries", "Di tích Sở Chỉ huy Chiến dịch Điện Biên Phủ",
    "Bảo tàng Chiến thắng lịch sử Điện Biên Phủ", "Tượng đài Chiến thắng Điện Biên Phủ", "Thành Bản Phủ",
    "Cột mốc A Pa Chải", "Đèo Pha Đin",
]
LANGUAGES = ["tiếng Mông", "tiếng Thái", "tiếng Mông", "tiếng Hà Nhì"]

# Senders. Weights roughly follow who writes in (Kinh over-represented online, Thái and Mông the
# largest peoples of the province, Hà Nhì around Mường Nhé and Sín Thầu).
KINH_SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đỗ", "Bùi", "Đặng", "Ngô", "Dương", "Phan"]
KINH_MIDDLE = {"m": ["Văn", "Đức", "Minh", "Quang", "Xuân", "Hữu", "Thanh"],
               "f": ["Thị", "Thu", "Thanh", "Ngọc", "Hồng", "Thị"]}
KINH_GIVEN = {"m": ["An", "Bình", "Cường", "Dũng", "Hùng", "Huy", "Khánh", "Long", "Nam", "Sơn", "Thắng",
                    "Tuấn", "Việt", "Hiếu"],
              "f": ["Anh", "Hà", "Hằng", "Hương", "Lan", "Linh", "Mai", "Nga", "Phương", "Thảo", "Trang",
                    "Yến", "Huyền"]}
THAI_SURNAMES = ["Lò", "Lường", "Quàng", "Cà", "Tòng", "Điêu", "Cầm", "Khoàng", "Vì", "Lò", "Lường"]
THAI_GIVEN = {"m": ["Pầng", "Ơn", "Chiến", "Hặc", "Xôm", "Phong", "Ngoan", "Thiết", "Đôi", "Ích", "Piếng",
                    "Hịa", "Xuân", "Inh"],
              "f": ["Én", "Ỏm", "Xuân", "Thoa", "Hương", "Ngân", "Ọi", "Pọm", "Xiêng", "Ánh", "Hoa", "Ban",
                    "Lả", "Ơn"]}
HMONG_SURNAMES = ["Giàng", "Sùng", "Vàng", "Lý", "Thào", "Mùa", "Hờ", "Lầu", "Vừ", "Hạng", "Cứ", "Tráng"]
HMONG_GIVEN = {"m": ["Dơ", "Páo", "Chư", "Sử", "Chớ", "Dính", "Tủa", "Lềnh", "Súa", "Pó", "Chứ", "Thào",
                     "Vàng", "Của"],
               "f": ["Mỷ", "Dua", "Sua", "Pà", "Sinh", "Mai", "Dế", "Chá", "Dung", "Xía", "Mỉ", "Chở"]}
HA_NHI_NAMES = ["Chu Dố Sừ", "Pờ Chừ Pà", "Lỳ Xè Lù", "Pờ Mỳ Gơ", "Chu Thị Pà", "Lý Gió Xá",
                "Pờ Thị Dế", "Lò Mé Sừ"]

BUSINESSES = [
    "Hợp tác xã Nông nghiệp {xa_ten}", "Công ty TNHH Nông sản sạch Mường Thanh",
    "Hợp tác xã Gạo sạch Sam Mứn", "Công ty Cổ phần Cà phê Mường Ảng", "Hợp tác xã Chè Shan tuyết Tủa Chùa",
    "Công ty TNHH Du lịch Him Lam", "Công ty TNHH Giải pháp phần mềm Tây Bắc",
    "Hộ kinh doanh Homestay {xa_ten}", "Công ty TNHH Thương mại điện tử Điện Biên Xanh",
    "Hợp tác xã Mắc ca {xa_ten}", "Công ty TNHH Công nghệ số Mường Thanh",
]
ORGANISATIONS = [
    "Đoàn Thanh niên {xa}", "Hội Nông dân {xa}", "Hội Liên hiệp Phụ nữ {xa}", "Trường PTDTBT THCS {xa_ten}",
    "Trạm Y tế {xa}", "Chi hội Khuyến học {ban}", "Câu lạc bộ Tin học trẻ Điện Biên",
    "Tổ công nghệ số cộng đồng {ban}", "Hội Cựu chiến binh {xa}",
]
MOBILE_PREFIXES = [
    "096", "097", "098", "086", "032", "033", "034", "035", "036", "037", "038", "039",
    "091", "094", "088", "081", "082", "083", "084", "085", "090", "093", "089", "070", "076", "077", "078",
]

SENDER_MIX = {
    FB: [(SenderType.INDIVIDUAL, 0.85), (SenderType.BUSINESS, 0.05), (SenderType.ORGANISATION, 0.10)],
    PT: [(SenderType.INDIVIDUAL, 0.70), (SenderType.BUSINESS, 0.10), (SenderType.ORGANISATION, 0.20)],
    IN: [(SenderType.INDIVIDUAL, 0.70), (SenderType.BUSINESS, 0.10), (SenderType.ORGANISATION, 0.20)],
    SL: [(SenderType.INDIVIDUAL, 0.45), (SenderType.BUSINESS, 0.40), (SenderType.ORGANISATION, 0.15)],
}
VERBS = {FB: "phản ánh", PT: "kiến nghị", IN: "đề xuất sáng kiến", SL: "giới thiệu giải pháp"}
TITLE_OPENERS = ("phan anh", "kien nghi", "sang kien", "giai phap", "de xuat")
KIND_NOUNS = {FB: "phản ánh", PT: "kiến nghị", IN: "sáng kiến", SL: "giải pháp"}
OPENINGS_PERSON = [
    "Tôi sinh sống tại {ban}, {xa}.", "Gia đình tôi ở {ban}, {xa}.",
    "Tôi là người dân {xa}, xin {verb} như sau.", "", "",
]
OPENINGS_GROUP = ["{org} xin {verb} như sau.", "{org} (địa chỉ: {ban}, {xa}) xin {verb} như sau.", ""]
CLOSINGS = {
    FB: ["Kính đề nghị cơ quan có thẩm quyền kiểm tra, xử lý.",
        "Mong các cơ quan chức năng sớm xem xét, khắc phục.", "Rất mong sớm nhận được phản hồi. Xin cảm ơn!"],
    PT: ["Kính đề nghị cơ quan có thẩm quyền xem xét, giải quyết.", "Rất mong được các cấp quan tâm, xem xét.",
        "Xin trân trọng cảm ơn!"],
    IN: ["{toi} sẵn sàng trao đổi thêm và tham gia thí điểm nếu được chấp thuận.",
        "Rất mong sáng kiến được xem xét, áp dụng.", "Xin trân trọng cảm ơn!"],
    SL: ["{toi} sẵn sàng trình bày chi tiết giải pháp, chi phí dự kiến và phối hợp thử nghiệm.",
        "Hồ sơ kỹ thuật chi tiết xin gửi bổ sung khi cơ quan yêu cầu.", "Xin trân trọng cảm ơn!"],
}
ANSWER_CLOSINGS = [
    "{co_quan} trân trọng cảm ơn {ong_ba} đã quan tâm, đóng góp ý kiến.",
    "Trân trọng cảm ơn {ong_ba} đã tin tưởng gửi {loai} đến cơ quan nhà nước.",
    "Mọi vướng mắc, đề nghị {ong_ba} liên hệ bộ phận tiếp nhận phản ánh, kiến nghị của {co_quan} trong giờ "
    "hành chính. Trân trọng cảm ơn.",
]
ASSIGN_NOTES = [
    "Chuyển {agency} xử lý theo chức năng, nhiệm vụ.",
    "Nội dung thuộc thẩm quyền của {agency}; đề nghị tiếp nhận, trả lời theo quy định.",
    "Giao {agency} chủ trì xem xét, trả lời người gửi.",
]

OFFICE_START = time(7, 30)
OFFICE_LAST = time(16, 30)  # nobody starts handling an item after this
OFFICE_SPAN_MINUTES = 9 * 60


@dataclass
class _Plan:
    data: SubmissionCreate
    target: State
    via_triage: bool
    topic: Topic
    ctx: dict[str, str]
    commune: Commune
    age: timedelta  # nominal, before the clock is moved into office hours; orders the items
    times: dict[str, datetime]
    answer_closing: str
    assign_note: str


def _deck(rng: random.Random, mix: list[tuple], count: int) -> list:
    """Exactly proportional counts (largest remainder), shuffled."""
    raw = [(value, share * count) for value, share in mix]
    counts = {value: int(x) for value, x in raw}
    leftover = count - sum(counts.values())
    for value, _ in sorted(raw, key=lambda vx: vx[1] - int(vx[1]), reverse=True)[:leftover]:
        counts[value] += 1
    deck = [value for value, _ in mix for _ in range(counts[value])]
    rng.shuffle(deck)
    return deck


def _cycle(rng: random.Random, items: list, count: int) -> list:
    """Every item once per round, in a new random order each round: full coverage, no clumping."""
    out: list = []
    while len(out) < count:
        round_ = list(items)
        rng.shuffle(round_)
        out.extend(round_)
    return out[:count]


def _weighted(rng: random.Random, mix: list[tuple]):
    values, weights = zip(*mix, strict=True)
    return rng.choices(values, weights=weights)[0]


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def _person(rng: random.Random) -> str:
    people = rng.choices(["kinh", "thai", "hmong", "ha_nhi"], weights=[35, 33, 27, 5])[0]
    gender = rng.choice("mf")
    if people == "kinh":
        return " ".join([rng.choice(KINH_SURNAMES), rng.choice(KINH_MIDDLE[gender]), rng.choice(KINH_GIVEN[gender])])
    if people == "thai":
        return " ".join([rng.choice(THAI_SURNAMES), "Văn" if gender == "m" else "Thị", rng.choice(THAI_GIVEN[gender])])
    if people == "hmong":
        return " ".join([rng.choice(HMONG_SURNAMES), "A" if gender == "m" else "Thị", rng.choice(HMONG_GIVEN[gender])])
    return rng.choice(HA_NHI_NAMES)


# Demo senders get only reserved addresses that no channel ever sends to (app/notifications/contacts.py): e-mail on
# the example.org/.com/.net domains (RFC 2606) and phones in the 0500 000 000–0500 999 999 block. The random draws
# are the same as before, so the rest of the demo data does not change.
def _email(rng: random.Random, name: str, school: bool = False) -> str:
    local = fold(name).replace(" ", "")[:40]
    if school:
        return f"{local}@truong.example.net"
    domain = rng.choice(["example.com", "example.com", "example.org", "example.net", "example.org"])
    return f"{local}{rng.randint(1, 99)}@{domain}"


def _reserved_phone(digits: str) -> str:
    return "0500" + digits[-6:]


def _mobile(rng: random.Random) -> str:
    rng.choice(MOBILE_PREFIXES)  # drawn as before (keeps the sequence), not used
    return _reserved_phone("".join(str(rng.randint(0, 9)) for _ in range(7)))


def _context(rng: random.Random, commune: Commune) -> dict[str, str]:
    in_ward = commune.kind == "phuong"
    village = rng.choice(VILLAGES)
    ban = f"tổ dân phố {rng.randint(1, 12)}" if in_ward else f"bản {village}"
    return {
        "xa": _lower_first(commune.name),
        "Xa": commune.name,
        "xa_ten": commune.name.split(" ", 1)[1] if " " in commune.name else commune.name,
        "ban": ban,
        "Ban": _upper_first(ban),
        "mang": rng.choice(OPERATORS),
        "thu_tuc": rng.choice(PROCEDURES),
        "nong_san": rng.choice(PRODUCTS),
        "di_tich": rng.choice(SITES),
        "tieng": rng.choice(LANGUAGES),
        "n": str(rng.randint(2, 9)),
    }


def _office_time(moment: datetime, minutes: int) -> datetime:
    """`moment` if it falls in office hours on a working day; else the next working morning + `minutes`."""
    local = moment.astimezone(LOCAL_TZ)
    day = local.date()
    if DEFAULT_CALENDAR.is_working_day(day):
        if OFFICE_START <= local.time() <= OFFICE_LAST:
            return moment
        if local.time() < OFFICE_START:
            return _at(day, minutes)
    return _at(DEFAULT_CALENDAR.next_working_day(day + timedelta(days=1)), minutes)


def _at(day: date, minutes: int) -> datetime:
    return (datetime.combine(day, OFFICE_START, LOCAL_TZ) + timedelta(minutes=minutes)).astimezone(UTC)


def _timeline(
    rng: random.Random, *, now: datetime, target: State, via_triage: bool, kind: Kind, priority: Priority
) -> tuple[timedelta, dict[str, datetime]]:
    """When each step happened. Draws the same number of random values whatever the inputs, so that
    the text of later items does not depend on the clock or on routing."""
    assign_gap = timedelta(hours=rng.uniform(1, 30))
    accept_gap = timedelta(days=rng.uniform(0.05, 3))
    u_answer, u_tail, u_overdue = rng.random(), rng.random(), rng.random()
    office = [rng.randint(0, OFFICE_SPAN_MINUTES) for _ in range(3)]
    sweep_delay = timedelta(minutes=rng.randint(5, 240))

    if priority == Priority.URGENT:
        answer_gap = timedelta(days=0.1 + u_answer * 1.9)
    elif kind in (FB, PT):
        answer_gap = timedelta(days=2 + u_answer * 10)
    else:  # initiatives and solutions are assessed, which takes longer
        answer_gap = timedelta(days=5 + u_answer * 25)

    steps = []
    if via_triage and target != State.TRIAGE:
        steps.append("assign")
    if target in (State.IN_PROGRESS, State.ANSWERED, State.CLOSED):
        steps.append("accept")
    if target in (State.ANSWERED, State.CLOSED):
        steps.append("answer")
    if target == State.CLOSED:
        steps.append("close")
    gaps = {"assign": assign_gap, "accept": accept_gap, "answer": answer_gap, "close": timedelta(days=14)}
    chain = sum((gaps[s] for s in steps), timedelta())

    days = {
        State.TRIAGE: 0.05 + u_tail * 4.95,
        State.ASSIGNED: (3 + u_tail * 5) if u_overdue < 0.15 else (0.05 + u_tail * 2.95),
        State.IN_PROGRESS: 0.1 + u_tail * 20,
        State.ANSWERED: 0.1 + u_tail * 8.9,  # answered more than 10 working days ago would be closed
        State.CLOSED: u_tail * max(0.0, (MAX_AGE - chain) / timedelta(days=1)),
    }[target]
    age = min(chain + timedelta(days=days), MAX_AGE)

    created = now - age
    local = created.astimezone(LOCAL_TZ)
    if local.hour < 6:  # people write in the evening rather than at 3 a.m.
        created -= timedelta(hours=local.hour + 1)
    times = {"created": created}
    t = created
    for step in steps:
        if step == "assign":
            t = _office_time(t + assign_gap, office[0])
        elif step == "accept":
            t = _office_time(t + accept_gap, office[1])
        elif step == "answer":
            t = _office_time(t + answer_gap, office[2])
        else:  # no rating: the periodic sweep closes it after 10 working days
            t = DEFAULT_CALENDAR.deadline_after_working_days(t, 10) + sweep_delay
        times[step] = t

    # Never in the future: move the whole history back by whole weeks (keeps weekdays and hours).
    latest = max(times.values())
    if latest > now - timedelta(minutes=1):
        weeks = math.ceil((latest - now + timedelta(minutes=1)) / timedelta(days=7))
        times = {k: v - timedelta(weeks=weeks) for k, v in times.items()}
    return age, times


def _sender(rng: random.Random, kind: Kind, ctx: dict[str, str]) -> dict:
    sender_type = _weighted(rng, SENDER_MIX[kind])
    u_contact = rng.random()
    u_address, u_hide = rng.random(), rng.random()
    address = f"{ctx['Ban']}, {ctx['xa']}, tỉnh Điện Biên"
    if sender_type == SenderType.INDIVIDUAL:
        name = _person(rng)
        phone, email = _mobile(rng), _email(rng, name)
        if u_contact < 0.70:
            email = None
        elif u_contact < 0.82:
            phone = None
        return dict(sender_type=sender_type, sender_name=name, sender_phone=phone, sender_email=email,
                    sender_address=address if u_address < 0.75 else None, hide_identity=u_hide < 0.15)
    names = BUSINESSES if sender_type == SenderType.BUSINESS else ORGANISATIONS
    name = rng.choice(names).format_map(ctx)
    phone = _mobile(rng) if rng.random() < 0.7 else _reserved_phone("".join(str(rng.randint(0, 9)) for _ in range(7)))
    email = _email(rng, name, school=name.startswith("Trường"))
    if u_contact < 0.40:
        email = None
    elif u_contact < 0.60:
        phone = None
    return dict(sender_type=sender_type, sender_name=name, sender_phone=phone, sender_email=email,
                sender_address=address if u_address < 0.9 else None, hide_identity=u_hide < 0.03)


def _content(rng: random.Random, topic: Topic, ctx: dict[str, str], sender: dict) -> str:
    person = sender["sender_type"] == SenderType.INDIVIDUAL
    opening = rng.choice(OPENINGS_PERSON if person else OPENINGS_GROUP)
    closing = rng.choice(CLOSINGS[topic.kind])
    values = {**ctx, "verb": VERBS[topic.kind], "org": sender["sender_name"],
              "toi": "Tôi" if person else "Chúng tôi"}
    parts = [opening.format_map(values), topic.body.format_map(values), closing.format_map(values)]
    return "\n\n".join(p for p in parts if p)


def _answer_text(plan: _Plan, agency: Agency, tracking_code: str) -> str:
    person = plan.data.sender_type == SenderType.INDIVIDUAL
    ong_ba = "Ông/Bà" if person else "Quý đơn vị"
    loai = KIND_NOUNS[plan.topic.kind]
    values = {**plan.ctx, "co_quan": agency.name, "ong_ba": ong_ba, "loai": loai}
    body = plan.topic.answer.format_map(values).replace("Ông/Bà", ong_ba)
    title = plan.data.title
    # "đã nhận được giải pháp “Giải pháp …”" reads badly: name the kind only when the title does not.
    what = f"“{title}”" if fold(title).startswith(TITLE_OPENERS) else f"{loai} “{title}”"
    # No sender name in the answer: answers may be published, names stay with the handlers.
    return (
        f"Kính gửi {ong_ba},\n\n"
        f"{agency.name} đã nhận được {what} (mã tra cứu {tracking_code}). "
        f"Sau khi xem xét, {agency.name} trả lời như sau:\n\n"
        f"{body}\n\n"
        f"{plan.answer_closing.format_map(values)}"
    )


def _routes_to_triage(specs: list[RuleSpec], kind: str, field_code: str, commune_code: str, text: str) -> bool:
    return decide(RoutingInput(kind=kind, field_code=field_code, commune_code=commune_code, text=text),
                  specs).agency_code is None


def _plans(
    rng: random.Random, *, count: int, now: datetime, fields: list[Field], communes: list[Commune],
    specs: list[RuleSpec],
) -> list[_Plan]:
    field_codes = [f.code for f in fields if f.code in TOPICS]
    # Fields that no rule routes (with no keyword in the text): the only way an item stays in triage.
    triage_fields = [code for code in field_codes
                     if _routes_to_triage(specs, "feedback", code, communes[0].code, "")]
    targets = _deck(rng, STATE_MIX, count)
    kinds = _deck(rng, KIND_MIX, count)
    field_seq = _cycle(rng, field_codes + [c for c in FREQUENT_FIELDS if c in field_codes], count)
    commune_seq = _cycle(rng, communes, count)
    triage_seq = _cycle(rng, triage_fields, count) if triage_fields else []

    plans = []
    next_field = iter(field_seq)
    for i in range(count):
        target, kind, commune = targets[i], kinds[i], commune_seq[i]
        field_code = triage_seq[i] if target == State.TRIAGE and triage_seq else next(next_field)
        topic = rng.choice([t for t in TOPICS[field_code] if t.kind == kind])
        ctx = _context(rng, commune)
        sender = _sender(rng, kind, ctx)
        urgent = kind in (FB, PT) and rng.random() < 0.07
        title = topic.title.format_map(ctx)
        content = _content(rng, topic, ctx, sender)
        data = SubmissionCreate(
            kind=kind, field_code=field_code, commune_code=commune.code, title=title, content=content,
            consent=True, priority=Priority.URGENT if urgent else Priority.NORMAL, **sender,
        )
        via_triage = _routes_to_triage(specs, kind.value, field_code, commune.code, f"{data.title}\n{data.content}")
        if target == State.TRIAGE and not via_triage:
            target = State.ASSIGNED  # routing does not allow it: a rule picks this item up
        age, times = _timeline(rng, now=now, target=target, via_triage=via_triage, kind=kind,
                               priority=data.priority)
        plans.append(_Plan(
            data=data, target=target, via_triage=via_triage, topic=topic, ctx=ctx, commune=commune, age=age,
            times=times, answer_closing=rng.choice(ANSWER_CLOSINGS), assign_note=rng.choice(ASSIGN_NOTES),
        ))
    # Oldest first, so ids grow with time like in a real database (ordered on the nominal age, which
    # depends on the seed only).
    plans.sort(key=lambda p: p.age, reverse=True)
    return plans


def seed_demo(*, session: Session, count: int = 300, rng_seed: int = 2026, now: datetime | None = None) -> int:
    """Adds `count` demo items in every state through the domain service; returns how many were created."""
    now = now or utcnow()
    rng = random.Random(rng_seed)

    fields = list(session.exec(select(Field).order_by(col(Field.sort_order), col(Field.id))).all())
    communes = list(session.exec(select(Commune).order_by(col(Commune.id))).all())
    agencies = list(session.exec(select(Agency)).all())
    if not fields or not communes or not agencies:
        raise RuntimeError("Chưa có dữ liệu danh mục: chạy `pakn seed` trước khi nạp hồ sơ mẫu.")
    by_code = {a.code: a for a in agencies}
    by_id = {a.id: a for a in agencies}
    commune_committee = {a.commune_code: a for a in agencies if a.kind == "ubnd_xa" and a.commune_code}
    coordinator_agency = next((a for a in agencies if a.is_coordinator), None)

    handlers: dict[int, Account] = {}
    accounts = session.exec(
        select(Account).where(Account.is_active == True).order_by(col(Account.id))  # noqa: E712
    ).all()
    for account in accounts:
        if account.agency_id is None or account.role not in (Role.AGENCY_ADMIN, Role.OFFICER, Role.COORDINATOR):
            continue
        current = handlers.get(account.agency_id)
        if current is None or (account.role == Role.AGENCY_ADMIN and current.role != Role.AGENCY_ADMIN):
            handlers[account.agency_id] = account
    coordinator = next((a for a in accounts if a.username == COORDINATOR_USERNAME), None) or next(
        (a for a in accounts if a.role == Role.COORDINATOR), None)

    specs = load_rule_specs(session=session)
    field_owner = {s.field_code: s.target_agency_code for s in specs
                   if s.field_code and not s.commune_code and not s.kind and not s.keywords}
    plans = _plans(rng, count=count, now=now, fields=fields, communes=communes, specs=specs)

    created = 0
    for plan in plans:
        times = plan.times
        submission = service.submit(session=session, data=plan.data, source=Channel.WEB, now=times["created"])
        created += 1
        session.commit()

        if submission.state == State.TRIAGE and "assign" in times:
            agency = _triage_target(plan, by_code, commune_committee, field_owner, coordinator_agency)
            if coordinator is None or agency is None:
                continue
            service.assign(session=session, submission=submission, actor=coordinator, agency=agency,
                           note=plan.assign_note.format(agency=agency.name), now=times["assign"])
        if submission.state != State.ASSIGNED or "accept" not in times:
            continue
        handler = handlers.get(submission.agency_id)
        if handler is None:
            continue
        service.accept(session=session, submission=submission, actor=handler, now=times["accept"])
        if "answer" not in times:
            continue
        text = _answer_text(plan, by_id[submission.agency_id], submission.tracking_code)
        service.answer(session=session, submission=submission, actor=handler, text=text, now=times["answer"])
        if "close" in times:
            service.close(session=session, submission=submission, now=times["close"])
        session.commit()  # the seeding command is the door: one unit of work per demo item
    session.commit()
    return created


def _triage_target(
    plan: _Plan, by_code: dict[str, Agency], commune_committee: dict[str, Agency], field_owner: dict[str, str],
    coordinator_agency: Agency | None,
) -> Agency | None:
    hint = plan.topic.agency
    if hint == "@xa":
        return commune_committee.get(plan.commune.code) or coordinator_agency
    if hint and hint in by_code:
        return by_code[hint]
    owner = field_owner.get(plan.data.field_code)
    return by_code.get(owner) if owner else coordinator_agency


__all__ = ["seed_demo"]

