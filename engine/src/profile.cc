#include "smematch/profile.h"

#include <array>

namespace smematch {
namespace {

constexpr std::array<std::string_view, kProfileFieldCount> kFieldNames = {
    "id", "identifier", "name", "legal_form", "sector", "industry", "province", "employees",
    "annual_revenue_thb", "years_operating", "members", "certifications", "otop_stars",
    "digital_readiness", "needs", "own_farm_produce", "vat_registered", "gs1_barcode",
    "monthly_capacity_units", "shelf_life_days", "participation",
};

constexpr EnumLabel kLegalForms[] = {
    {"juristic_person", "นิติบุคคล", "juristic person"},
    {"community_enterprise", "วิสาหกิจชุมชน", "community enterprise"},
    {"individual", "บุคคลธรรมดา", "individual"},
    {"farmer_group", "กลุ่มเกษตรกร", "farmer group"},
    {"otop_producer", "ผู้ผลิต OTOP", "OTOP producer"},
};
constexpr EnumLabel kSectors[] = {
    {"manufacturing", "การผลิต", "manufacturing"},
    {"trade_services", "การค้าและบริการ", "trade and services"},
};
constexpr EnumLabel kIndustries[] = {
    {"food", "อาหาร", "food"},
    {"beverage", "เครื่องดื่ม", "beverages"},
    {"coffee_tea", "กาแฟและชา", "coffee and tea"},
    {"herbs", "สมุนไพร", "herbs"},
    {"agro_processing", "แปรรูปผลผลิตการเกษตร", "agro-processing"},
    {"souvenir_craft", "ของที่ระลึกและหัตถกรรม", "souvenirs and crafts"},
    {"textile", "สิ่งทอและเครื่องนุ่งห่ม", "textiles and apparel"},
    {"furniture_wood", "เฟอร์นิเจอร์และผลิตภัณฑ์ไม้", "furniture and wood products"},
    {"cosmetics", "เครื่องสำอาง", "cosmetics"},
    {"metal_machinery", "โลหะและเครื่องจักร", "metal and machinery"},
    {"auto_parts", "ชิ้นส่วนยานยนต์", "automotive parts"},
    {"electronics", "อิเล็กทรอนิกส์", "electronics"},
    {"plastics_chemicals", "พลาสติกและเคมีภัณฑ์", "plastics and chemicals"},
    {"retail_wholesale", "ค้าปลีกค้าส่ง", "retail and wholesale"},
    {"tourism_hospitality", "ท่องเที่ยวและบริการ", "tourism and hospitality"},
    {"digital_services", "บริการดิจิทัล", "digital services"},
    {"other_services", "บริการอื่น ๆ", "other services"},
};
static_assert(std::size(kIndustries) == kIndustryCount);
constexpr EnumLabel kCertifications[] = {
    {"fda", "เลขสารบบอาหาร อย.", "Thai FDA registration"},
    {"gmp", "GMP", "GMP"},
    {"haccp", "HACCP", "HACCP"},
    {"tisi", "มาตรฐาน มอก.", "TISI standard"},
    {"tcps", "มาตรฐานผลิตภัณฑ์ชุมชน (มผช.)", "Thai Community Product Standard"},
    {"halal", "ฮาลาล", "Halal"},
};
static_assert(std::size(kCertifications) == kCertificationCount);
constexpr EnumLabel kDimensions[] = {
    {"entrepreneurship", "การเป็นผู้ประกอบการ การบริหารจัดการ และการพัฒนาคน",
     "entrepreneurship, management and people"},
    {"marketing", "การตลาดเชิงกลยุทธ์", "strategic marketing"},
    {"product_innovation", "นวัตกรรมผลิตภัณฑ์", "product innovation"},
    {"finance_legal", "การเงิน บัญชี ภาษี และกฎหมาย", "finance, accounting, tax and law"},
    {"digital", "เทคโนโลยีดิจิทัล", "digital technology"},
};
static_assert(std::size(kDimensions) == kDimensionCount);

constexpr EnumLabel kFieldLabels[] = {
    {"id", "รหัสรายการ", "record id"},
    {"identifier", "เลขประจำตัว 13 หลัก", "13-digit identifier"},
    {"name", "ชื่อกิจการ", "name"},
    {"legal_form", "รูปแบบกิจการ", "legal form"},
    {"sector", "ภาคธุรกิจ (การผลิต/การค้าและบริการ)", "sector (manufacturing / trade and services)"},
    {"industry", "อุตสาหกรรม", "industry"},
    {"province", "จังหวัด", "province"},
    {"employees", "จำนวนการจ้างงาน", "employees"},
    {"annual_revenue_thb", "รายได้ต่อปี", "annual revenue (THB)"},
    {"years_operating", "จำนวนปีที่ดำเนินกิจการ", "years operating"},
    {"members", "จำนวนสมาชิก", "members"},
    {"certifications", "มาตรฐานและใบอนุญาต", "certifications"},
    {"otop_stars", "ระดับดาว OTOP", "OTOP stars"},
    {"digital_readiness", "ความพร้อมด้านดิจิทัล", "digital readiness"},
    {"needs", "ความต้องการพัฒนา 5 ด้าน", "needs on the 5 mentoring dimensions"},
    {"own_farm_produce", "ใช้ผลผลิตการเกษตรของตนเอง", "processes its own farm produce"},
    {"vat_registered", "จดทะเบียนภาษีมูลค่าเพิ่ม", "VAT registration"},
    {"gs1_barcode", "บาร์โค้ด GS1", "GS1 barcode"},
    {"monthly_capacity_units", "กำลังการผลิตต่อเดือน", "monthly capacity (units)"},
    {"shelf_life_days", "อายุการเก็บรักษาสินค้า (วัน)", "shelf life (days)"},
    {"participation", "ประวัติการเข้าร่วมโครงการ", "past participation"},
};
static_assert(std::size(kFieldLabels) == kProfileFieldCount);

}  // namespace

std::span<const EnumLabel> FieldLabels() { return kFieldLabels; }

std::string_view FieldName(ProfileField field) { return kFieldNames[static_cast<int>(field)]; }

std::optional<ProfileField> FieldByName(std::string_view name) {
  for (int i = 0; i < kProfileFieldCount; ++i) {
    if (kFieldNames[i] == name) return static_cast<ProfileField>(i);
  }
  return std::nullopt;
}

std::vector<std::string_view> FieldNames(uint64_t mask) {
  std::vector<std::string_view> names;
  for (int i = 0; i < kProfileFieldCount; ++i) {
    if ((mask >> i) & 1u) names.push_back(kFieldNames[i]);
  }
  return names;
}

std::span<const EnumLabel> LegalFormLabels() { return kLegalForms; }
std::span<const EnumLabel> SectorLabels() { return kSectors; }
std::span<const EnumLabel> IndustryLabels() { return kIndustries; }
std::span<const EnumLabel> CertificationLabels() { return kCertifications; }
std::span<const EnumLabel> DimensionLabels() { return kDimensions; }

int EnumIndex(std::span<const EnumLabel> labels, std::string_view id) {
  for (size_t i = 0; i < labels.size(); ++i) {
    if (labels[i].id == id) return static_cast<int>(i);
  }
  return -1;
}

std::string KnownIds(std::span<const EnumLabel> labels) {
  std::string out;
  for (const EnumLabel& l : labels) {
    if (!out.empty()) out += ", ";
    out += l.id;
  }
  return out;
}

}  // namespace smematch
